package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.Broker;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.testing.TestPki;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pair that cannot be served stops startup before anything listens or the database is
 * touched, with one line naming the setting, the file and what is wrong with it.
 */
class TlsStartupTest {
  @TempDir
  Path dir;
  private TestPki.Issued pair;

  @BeforeEach
  void setUp() {
    pair = TestPki.authority("Brokkr Test CA").issue("broker", "localhost");
  }

  /** Why startup failed (the database named is never reached: the pair is checked first). */
  private Throwable startupFailure(Path cert, Path key) throws Exception {
    Map<String, String> s = new HashMap<>(BrokerConfig.DEFAULTS);
    s.put("database.url", "postgres://nobody:nothing@127.0.0.1:1/none");
    s.put("broker.port", "0");
    s.put("broker.host", "127.0.0.1");
    s.put("broker.tls_cert_file", cert.toString());
    s.put("broker.tls_key_file", key.toString());
    Vertx vertx = TestVertx.create();
    try {
      Future<Broker> started = Broker.start(vertx, BrokerConfig.from(Settings.of(s)));
      return started.transform(ar -> Future.succeededFuture(ar.cause())).await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static String assertOneLine(Throwable failure, String... parts) {
    ConfigException e = assertInstanceOf(ConfigException.class, failure);
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), e.getMessage());
    }
    assertTrue(e.getStackTrace().length == 0 && !e.getMessage().contains("\n"), "a message, not a trace");
    return e.getMessage();
  }

  @Test
  void aMissingFileIsNamed() throws Exception {
    Path key = TestPki.write(dir.resolve("tls.key"), pair.pkcs8KeyPem());
    Path missing = dir.resolve("nope.crt");
    assertOneLine(startupFailure(missing, key), "broker.tls_cert_file", missing.toString(), "no such file");
    Path cert = TestPki.write(dir.resolve("tls.crt"), pair.certificatePem());
    assertOneLine(startupFailure(cert, dir.resolve("nope.key")), "broker.tls_key_file", "nope.key", "no such file");
  }

  @Test
  void aFileThatIsNotPemIsNamed() throws Exception {
    Path cert = TestPki.write(dir.resolve("tls.crt"), pair.certificatePem());
    Path key = TestPki.write(dir.resolve("tls.key"), pair.pkcs8KeyPem());
    Path garbage = TestPki.write(dir.resolve("garbage"), "hello\n");
    assertOneLine(startupFailure(garbage, key), "broker.tls_cert_file", garbage.toString(), "not a PEM certificate chain");
    String message = assertOneLine(startupFailure(cert, cert), "broker.tls_key_file", cert.toString(), "not a usable PEM private key");
    assertTrue(!message.contains("BEGIN CERTIFICATE") || message.contains("Missing"), message);
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    TestPki.Issued other = TestPki.authority("Another CA").issue("other", "localhost");
    Path cert = TestPki.write(dir.resolve("tls.crt"), pair.certificatePem());
    Path key = TestPki.write(dir.resolve("tls.key"), other.pkcs1KeyPem());
    String message = assertOneLine(startupFailure(cert, key), "broker.tls_key_file", "does not belong", cert.toString());
    assertTrue(!message.contains(other.pkcs1KeyPem().lines().skip(2).findFirst().orElseThrow()), "no key material");
  }
}
