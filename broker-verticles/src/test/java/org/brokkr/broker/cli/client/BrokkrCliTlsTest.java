package org.brokkr.broker.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brokkr} against a broker serving HTTPS: the CA file from the flag, the environment or the config file. */
class BrokkrCliTlsTest {
  @TempDir
  static Path dir;
  static TestBroker broker;
  static Path caFile;
  static String url;
  static String agentName;

  @BeforeAll
  static void start() {
    TestPki.Authority authority = TestPki.authority("Brokkr CLI Test CA");
    TestPki.Issued serving = authority.issue("broker", "127.0.0.1", "localhost");
    caFile = authority.writeTo(dir.resolve("ca.pem"));
    broker = TestBroker.startHttps(Map.of(
            "broker.tls_cert_file", TestPki.write(dir.resolve("tls.crt"), serving.certificatePem()).toString(),
            "broker.tls_key_file", TestPki.write(dir.resolve("tls.key"), serving.pkcs8KeyPem()).toString()),
        new PemTrustOptions().addCertValue(Buffer.buffer(authority.certificatePem())));
    url = "https://127.0.0.1:" + broker.broker.port();
    agentName = "cli-tls-agent";
    assertEquals(201, broker.admin().post("/agents", new JsonObject().put("name", agentName).put("cluster_name", "c1")).statusCode());
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  record Run(int code, String out, String err) {}

  private static Run brokkr(Map<String, String> vars, String... args) {
    Map<String, String> env = new HashMap<>(vars);
    env.putIfAbsent("HOME", dir.resolve("home").toString());
    env.putIfAbsent("BROKKR_BROKER_URL", url);
    env.putIfAbsent("BROKKR_PAK", broker.adminPak);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BrokkrCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theCaFileFromTheFlagOrTheEnvironmentLetsItIn() {
    Run flag = brokkr(Map.of(), "--ca-file", caFile.toString(), "registrations", "--agent", agentName);
    assertEquals(0, flag.code(), flag.err());
    Run env = brokkr(Map.of("BROKKR_CA_FILE", caFile.toString()), "registrations", "--agent", agentName);
    assertEquals(0, env.code(), env.err());
  }

  @Test
  void theCaFileFromTheConfigFileLetsItInToo() {
    Path config = TestPki.write(dir.resolve("config.toml"), "broker_url = \"" + url + "\"\npak = \"" + broker.adminPak
        + "\"\nca_file = \"" + caFile + "\"\n");
    Map<String, String> env = new HashMap<>(Map.of("BROKKR_BROKER_URL", "", "BROKKR_PAK", ""));
    Run run = brokkr(env, "--config", config.toString(), "registrations", "--agent", agentName);
    assertEquals(0, run.code(), run.err());
  }

  @Test
  void withoutItTheCertificateIsRefused() {
    Run run = brokkr(Map.of(), "registrations", "--agent", agentName);
    assertEquals(1, run.code());
    assertTrue(run.err().startsWith("error: cannot reach the broker at " + url + "/api/v1: "), run.err());
  }

  @Test
  void aCaFileThatCannotBeUsedIsNamed() {
    Path missing = dir.resolve("missing.pem");
    Run run = brokkr(Map.of(), "--ca-file", missing.toString(), "registrations", "--agent", agentName);
    assertEquals(1, run.code());
    assertTrue(run.err().startsWith("error: cannot read the CA file " + missing), run.err());
    Path text = TestPki.write(dir.resolve("text.pem"), "no certificates here\n");
    run = brokkr(Map.of(), "--ca-file", text.toString(), "registrations", "--agent", agentName);
    assertEquals(1, run.code());
    assertTrue(run.err().startsWith("error: --ca-file " + text + ": "), run.err());
  }
}
