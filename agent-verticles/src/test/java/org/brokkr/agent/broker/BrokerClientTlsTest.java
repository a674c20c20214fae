package org.brokkr.agent.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestPki;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's broker client over HTTPS: with {@code agent.tls_ca_file} it reaches a broker whose
 * certificate that bundle vouches for; without it (the JVM's default authorities) it does not;
 * and a certificate for another host name is refused even from a trusted authority.
 */
class BrokerClientTlsTest {
  @TempDir
  static Path dir;
  static TestPki.Authority authority;
  static Path caFile;
  static TestBroker broker;
  static String agentPak;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    authority = TestPki.authority("Brokkr Agent Test CA");
    TestPki.Issued serving = authority.issue("broker", "localhost", "127.0.0.1");
    caFile = authority.writeTo(dir.resolve("ca.pem"));
    broker = TestBroker.startHttps(Map.of(
            "broker.tls_cert_file", TestPki.write(dir.resolve("tls.crt"), serving.certificatePem()).toString(),
            "broker.tls_key_file", TestPki.write(dir.resolve("tls.key"), serving.pkcs8KeyPem()).toString()),
        new PemTrustOptions().addCertValue(Buffer.buffer(authority.certificatePem())));
    JsonObject created = broker.admin().post("/agents", new JsonObject().put("name", "tls-agent").put("cluster_name", "c1"))
        .bodyAsJsonObject();
    agentPak = created.getString("initial_pak");
    vertx = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static String url() {
    return "https://127.0.0.1:" + broker.broker.port();
  }

  private static Throwable failureOf(Future<?> call) throws Exception {
    return call.transform(ar -> Future.succeededFuture(ar.cause())).await(60, TimeUnit.SECONDS);
  }

  private static boolean causeMentions(Throwable t, String text) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c.getMessage() != null && c.getMessage().contains(text)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theCaBundleLetsItReachTheBroker() throws Exception {
    Optional<Buffer> bundle = BrokerClient.caBundle(vertx, Optional.of(caFile.toString())).await(30, TimeUnit.SECONDS);
    try (BrokerClient client = new BrokerClient(vertx, url(), agentPak, bundle)) {
      assertTrue(client.ready().await(30, TimeUnit.SECONDS));
      JsonObject identity = client.verifyPak().await(30, TimeUnit.SECONDS);
      assertTrue(identity.getString("agent") != null, identity.encode());
    }
  }

  @Test
  void withoutTheBundleTheBrokersCertificateIsRefused() throws Exception {
    try (BrokerClient client = new BrokerClient(vertx, url(), agentPak, Optional.empty())) {
      Throwable refused = failureOf(client.verifyPak());
      BrokerCallException e = assertInstanceOf(BrokerCallException.class, refused);
      assertEquals(0, e.status(), "not an answer: the connection was refused in the handshake");
      assertTrue(hasCause(e, SSLHandshakeException.class), String.valueOf(e.getCause()));
      assertTrue(hasCause(failureOf(client.ready()), SSLHandshakeException.class));
    }
  }

  @Test
  void aCertificateForAnotherHostIsRefusedEvenFromTheTrustedAuthority() throws Exception {
    TestPki.Issued elsewhere = authority.issue("elsewhere", "broker.elsewhere.example");
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(Buffer.buffer(elsewhere.certificatePem())).setKeyValue(Buffer.buffer(elsewhere.pkcs8KeyPem()))))
        .requestHandler(req -> req.response().end("Ready"))
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    try {
      Optional<Buffer> bundle = BrokerClient.caBundle(vertx, Optional.of(caFile.toString())).await(30, TimeUnit.SECONDS);
      try (BrokerClient client = new BrokerClient(vertx, "https://127.0.0.1:" + server.actualPort(), agentPak, bundle)) {
        Throwable refused = failureOf(client.ready());
        assertTrue(hasCause(refused, SSLHandshakeException.class), String.valueOf(refused));
        assertTrue(causeMentions(refused, "127.0.0.1"), "names the host that did not match: " + refused);
      }
    } finally {
      server.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBundleThatCannotBeUsedIsNamed() throws Exception {
    Path missing = dir.resolve("missing.pem");
    ConfigException e = assertInstanceOf(ConfigException.class, failureOf(BrokerClient.caBundle(vertx, Optional.of(missing.toString()))));
    assertEquals("agent.tls_ca_file " + missing + ": cannot read: no such file", e.getMessage());

    Path notPem = TestPki.write(dir.resolve("not.pem"), "just text\n");
    e = assertInstanceOf(ConfigException.class, failureOf(BrokerClient.caBundle(vertx, Optional.of(notPem.toString()))));
    assertTrue(e.getMessage().startsWith("agent.tls_ca_file " + notPem + ": "), e.getMessage());
  }
}
