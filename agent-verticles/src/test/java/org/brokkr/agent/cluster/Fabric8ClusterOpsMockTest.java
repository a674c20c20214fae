package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Fabric8ClusterOps} against fabric8's mock API server in CRUD mode, for what that server
 * supports: reads and error mapping. (It cannot do server-side apply (404/415), ignores dry runs
 * and serves no discovery, which deletes need; those paths are tested on a real API server.)
 */
class Fabric8ClusterOpsMockTest {
  private KubernetesMockServer server;
  private NamespacedKubernetesClient client;
  private Vertx vertx;
  private Fabric8ClusterOps ops;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    vertx = TestVertx.create();
    ops = Fabric8ClusterOps.fromConfig(vertx, client.getConfiguration(), Optional.empty(), new RetryPolicy(10, 2.0, 50, 500));
  }

  @AfterEach
  void stop() throws Exception {
    ops.close();
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    server.destroy();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(20, TimeUnit.SECONDS);
  }

  @Test
  void theReachabilityProbeIsOneGetOfVersion() throws Exception {
    // what an idle agent costs the API server per heartbeat (README, "Running an agent")
    int before = server.getRequestCount();
    long calls = ops.callCount();
    await(ops.probe());
    assertEquals(1, server.getRequestCount() - before);
    var request = server.takeRequest();
    assertEquals("GET /version", request.getMethod() + " " + request.getPath());
    assertEquals(calls + 1, ops.callCount());
  }

  @Test
  void tellsWhetherANamespaceExists() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("present").endMetadata().build()).create();
    assertTrue(await(ops.namespaceExists("present")));
    assertFalse(await(ops.namespaceExists("absent")));
  }

  @Test
  void serverSideApplyRefusalBecomesANonRetryableClusterError() {
    Map<String, Object> manifest = Map.of("apiVersion", "v1", "kind", "ConfigMap",
        "metadata", Map.of("name", "x", "namespace", "default"), "data", Map.of("k", "v"));
    Future<Void> f = ops.apply(manifest, "brokkr-controller", false);
    try {
      await(f);
    } catch (Exception ignored) {
      // inspected below
    }
    assertTrue(f.failed());
    assertTrue(f.cause() instanceof ClusterCallException, f.cause().toString());
    int status = ((ClusterCallException) f.cause()).status();
    assertTrue(status >= 400 && status < 500, "a client error, got " + status);
    assertFalse(RetryPolicy.isRetryable(f.cause()));
  }
}
