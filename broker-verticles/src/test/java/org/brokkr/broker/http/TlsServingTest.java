package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.SecretVolume;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestPki;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker over HTTPS, its pair in a Secret-shaped volume: clients that trust the authority
 * get the probes and the API; plain HTTP and clients that trust someone else get nothing; a new
 * pair published into the volume is served to new connections without a restart, and a broken
 * one is refused with a warning while the pair in service stays.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsServingTest {
  static TestPki.Authority authorityA;
  static TestPki.Authority authorityB;
  static TestPki.Issued first;
  static SecretVolume secret;
  static LogCapture logs;
  static TestBroker broker;
  static Vertx clients;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() {
    authorityA = TestPki.authority("Brokkr Test CA A");
    authorityB = TestPki.authority("Brokkr Test CA B");
    first = authorityA.issue("broker-one", "localhost", "127.0.0.1");
    secret = new SecretVolume(dir.resolve("secret")).publish(first.certificatePem(), first.pkcs8KeyPem());
    logs = new LogCapture();
    broker = TestBroker.startHttps(Map.of(
            "broker.tls_cert_file", secret.certFile().toString(),
            "broker.tls_key_file", secret.keyFile().toString(),
            "broker.tls_reload_interval", "1"),
        new PemTrustOptions().addCertValue(Buffer.buffer(authorityA.certificatePem())));
    clients = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
    if (clients != null) {
      clients.close().await(30, TimeUnit.SECONDS);
    }
    logs.close();
  }

  private static int port() {
    return broker.broker.port();
  }

  private static BigInteger servedSerial(SSLContext trust) throws Exception {
    return TestPki.peerCertificate(trust, "127.0.0.1", port()).getSerialNumber();
  }

  @Test
  @Order(1)
  void aClientThatTrustsTheAuthorityGetsTheProbesAndTheApi() throws Exception {
    assertEquals(200, broker.anonymous().get("/healthz").statusCode());
    assertEquals(200, broker.admin().get("/agents").statusCode(), "an authenticated call over HTTPS");

    HttpClient jdk = HttpClient.newBuilder().sslContext(authorityA.trustingContext()).build();
    var response = jdk.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/healthz")).build(),
        BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    X509Certificate presented = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    assertEquals(first.serial(), presented.getSerialNumber());
    assertEquals(first.subject(), presented.getSubjectX500Principal().getName());
  }

  @Test
  @Order(2)
  void plainHttpAndClientsThatTrustSomeoneElseGetNothing() throws Exception {
    WebClient plain = WebClient.create(clients, new WebClientOptions());
    assertThrows(Exception.class, () -> plain.get(port(), "127.0.0.1", "/healthz").send().await(30, TimeUnit.SECONDS),
        "a plain HTTP request gets no answer from an HTTPS listener");
    plain.close();

    WebClient otherTrust = WebClient.create(clients, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(authorityB.certificatePem()))));
    Future<HttpResponse<Buffer>> call = otherTrust.get(port(), "127.0.0.1", "/healthz").send();
    Throwable untrusted = call.transform(ar -> Future.succeededFuture(ar.cause())).await(30, TimeUnit.SECONDS);
    assertTrue(hasCause(untrusted, SSLHandshakeException.class), String.valueOf(untrusted));
    otherTrust.close();

    assertThrows(SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port() + "/healthz")).build(), BodyHandlers.ofString()),
        "the JVM's default trust store does not know the test authority");
  }

  @Test
  @Order(3)
  void aPairPublishedIntoTheVolumeIsServedToNewConnectionsWithoutARestart() throws Exception {
    SSLContext trustBoth = TestPki.trustingContext(authorityA, authorityB);
    assertEquals(first.serial(), servedSerial(trustBoth));

    // another authority, and the key as PKCS#1 this time
    TestPki.Issued second = authorityB.issue("broker-two", "localhost", "127.0.0.1");
    secret.publish(second.certificatePem(), second.pkcs1KeyPem());
    Eventually.value(() -> servedSerial(trustBoth).equals(second.serial()) ? true : null);
    X509Certificate presented = TestPki.peerCertificate(trustBoth, "127.0.0.1", port());
    assertEquals("CN=broker-two", presented.getSubjectX500Principal().getName());
    assertEquals(1, reloads(), "one info line per reload");

    WebClient trustingB = WebClient.create(clients, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(authorityB.certificatePem()))));
    assertEquals(200, trustingB.get(port(), "127.0.0.1", "/healthz").send().await(30, TimeUnit.SECONDS).statusCode());
    trustingB.close();

    // a key that belongs to another certificate: refused, the second pair stays
    TestPki.Issued third = authorityA.issue("broker-three", "localhost", "127.0.0.1");
    secret.publish(third.certificatePem(), second.pkcs8KeyPem());
    awaitWarning("does not belong");
    assertEquals(second.serial(), servedSerial(trustBoth));

    // not a certificate at all: refused too
    secret.publish("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", third.pkcs8KeyPem());
    awaitWarning("not a PEM certificate chain");
    assertEquals(second.serial(), servedSerial(trustBoth));

    // a good pair again is taken
    secret.publish(third.certificatePem(), third.pkcs8KeyPem());
    Eventually.value(() -> servedSerial(trustBoth).equals(third.serial()) ? true : null);
    assertEquals(2, reloads());

    for (LogCapture.Entry e : logs.entries()) {
      for (TestPki.Issued pair : List.of(first, second, third)) {
        assertTrue(!e.message().contains("PRIVATE KEY") && !e.message().contains(keyBody(pair)), "key material logged: " + e);
      }
    }
    assertEquals(List.of(), logs.entriesWithStackTraces().stream()
        .filter(e -> e.logger().equals(CertificateReloadVerticle.class.getName())).toList());
  }

  private static long reloads() {
    return logs.entries().stream()
        .filter(e -> e.logger().equals(CertificateReloadVerticle.class.getName()) && e.level().equals("INFO"))
        .filter(e -> e.message().startsWith("TLS certificate reloaded"))
        .count();
  }

  private static void awaitWarning(String text) {
    Eventually.value(() -> logs.entries().stream()
        .filter(e -> e.logger().equals(CertificateReloadVerticle.class.getName()) && e.level().equals("WARN"))
        .filter(e -> e.message().contains(text))
        .findFirst().orElse(null));
  }

  /** A stretch of the key's base64 body, long enough to be unmistakable. */
  private static String keyBody(TestPki.Issued pair) {
    return pair.pkcs8KeyPem().lines().skip(3).findFirst().orElseThrow();
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
