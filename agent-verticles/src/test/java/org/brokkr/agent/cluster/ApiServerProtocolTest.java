package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP version the agent speaks to an API server: HTTP/2 (ALPN) with the real kube-apiserver,
 * many calls at once on one connection; HTTP/1.1 with a server that does not offer h2, or when
 * fabric8's http2Disable asks for it.
 */
@ExtendWith(KubeApiServer.Extension.class)
class ApiServerProtocolTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theRealApiServerIsSpokenToOverHttp2AndTakesManyAppliesAtOnce(KubeApiServer apiServer) throws Exception {
    try (Fabric8ClusterOps ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), RetryPolicy.NONE)) {
      assertEquals(HttpVersion.HTTP_2, ops.protocol().await(30, TimeUnit.SECONDS));
      String prefix = "h2-" + UUID.randomUUID().toString().substring(0, 8);
      List<Future<Void>> applies = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Map<String, Object> cm = Map.of("apiVersion", "v1", "kind", "ConfigMap",
            "metadata", Map.of("name", prefix + "-" + i, "namespace", "default"), "data", Map.of("k", "v"));
        applies.add(ops.apply(cm, "validation", true));
      }
      Future.all(applies).await(60, TimeUnit.SECONDS);
      assertEquals(HttpVersion.HTTP_2, ops.protocol().await(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void http2DisableInTheClientConfigurationKeepsHttp11(KubeApiServer apiServer) throws Exception {
    Config config = apiServer.config();
    config.setHttp2Disable(true);
    try (Fabric8ClusterOps ops = Fabric8ClusterOps.fromConfig(vertx, config, Optional.empty(), RetryPolicy.NONE)) {
      assertEquals(HttpVersion.HTTP_1_1, ops.protocol().await(30, TimeUnit.SECONDS));
      assertTrue(ops.probe().await(30, TimeUnit.SECONDS) >= 0);
    }
  }

  @Test
  void aServerOfferingOnlyHttp11ThroughAlpnGetsHttp11() throws Exception {
    assertFallsBack(new HttpServerOptions().setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_1_1)));
  }

  @Test
  void aServerWithoutAlpnGetsHttp11() throws Exception {
    assertFallsBack(new HttpServerOptions().setUseAlpn(false));
  }

  private void assertFallsBack(HttpServerOptions options) throws Exception {
    Set<HttpVersion> seen = ConcurrentHashMap.newKeySet();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    // trust material given, so the server's TLS context (built on the event loop at the first
    // connection) never reads the JDK's default trust store from disk
    HttpServer server = vertx.createHttpServer(options.setSsl(true).setKeyCertOptions(certificate.keyCertOptions())
            .setTrustOptions(certificate.trustOptions()))
        .requestHandler(request -> {
          seen.add(request.version());
          request.response().putHeader("Content-Type", "application/json")
              .end("{\"major\":\"1\",\"minor\":\"35\",\"gitVersion\":\"v1.35.0\"}");
        })
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    Config config = new ConfigBuilder().withMasterUrl("https://localhost:" + server.actualPort()).withTrustCerts(true)
        .withRequestTimeout(10_000).build();
    try (Fabric8ClusterOps ops = Fabric8ClusterOps.fromConfig(vertx, config, Optional.empty(), RetryPolicy.NONE)) {
      assertTrue(ops.probe().await(30, TimeUnit.SECONDS) >= 0);
      assertEquals(HttpVersion.HTTP_1_1, ops.protocol().await(30, TimeUnit.SECONDS));
      assertEquals(Set.of(HttpVersion.HTTP_1_1), seen);
    } finally {
      server.close().await(10, TimeUnit.SECONDS);
    }
  }
}
