package org.brokkr.broker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The named-ConfigMap watch of hot reload, against fabric8's mock API server: the ConfigMap's
 * TOML applies when the broker starts and again after each change; a broken change is refused
 * and leaves the running settings.
 */
class ConfigMapWatchTest {
  @TempDir
  Path dir;
  private KubernetesMockServer server;
  private NamespacedKubernetesClient kube;
  private TestBroker broker;

  @BeforeEach
  void startApiServer() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init();
    kube = server.createClient();
  }

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
    kube.close();
    server.destroy();
  }

  private static boolean allows(TestBroker b, String origin) throws Exception {
    HttpResponse<Buffer> r = b.client.request(HttpMethod.OPTIONS, "/api/v1/stacks").putHeader("Origin", origin)
        .putHeader("Access-Control-Request-Method", "GET").send().await(30, TimeUnit.SECONDS);
    return origin.equals(r.getHeader("Access-Control-Allow-Origin"));
  }

  @Test
  void theConfigMapsSettingsApplyAtStartAndAfterEachChange() throws Exception {
    kube.configMaps().inNamespace("brokkr").resource(new ConfigMapBuilder().withNewMetadata().withName("brokkr-config")
        .withNamespace("brokkr").endMetadata().addToData("broker.toml", "[cors]\nallowed_origins = [\"http://one.example\"]\n")
        .build()).create();
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: mock, cluster: {server: "%s"}}]
        users: [{name: test, user: {token: not-checked}}]
        contexts: [{name: test, context: {cluster: mock, user: test, namespace: brokkr}}]
        current-context: test
        """.formatted(kube.getConfiguration().getMasterUrl()));
    broker = TestBroker.start(TestDatabase.fresh(), Map.of(), Map.of("BROKKR_CONFIG_CONFIGMAP", "brokkr-config",
        "KUBECONFIG", kubeconfig.toString(), "BROKKR_CONFIG_WATCHER_DEBOUNCE_SECONDS", "1"));
    try {
      Eventually.value(() -> allows(broker, "http://one.example") ? true : null);

      kube.configMaps().inNamespace("brokkr").withName("brokkr-config")
          .edit(cm -> new ConfigMapBuilder(cm).addToData("broker.toml", "[cors]\nallowed_origins = [\"http://two.example\"]\n").build());
      Eventually.value(() -> allows(broker, "http://two.example") ? true : null);
      assertTrue(!allows(broker, "http://one.example"));

      kube.configMaps().inNamespace("brokkr").withName("brokkr-config")
          .edit(cm -> new ConfigMapBuilder(cm).addToData("broker.toml", "[cors]\nmax_age_seconds = \"soon\"\n").build());
      // broken content is refused and the running settings stay; the next good change applies
      assertTrue(allows(broker, "http://two.example"), "the running settings stay");
      var apiReload = broker.admin().post("/admin/config/reload", null);
      assertEquals(200, apiReload.statusCode(), "a broken ConfigMap never blocks a reload of the other sources: "
          + apiReload.bodyAsString());
      kube.configMaps().inNamespace("brokkr").withName("brokkr-config")
          .edit(cm -> new ConfigMapBuilder(cm).addToData("broker.toml", "[cors]\nallowed_origins = [\"http://three.example\"]\n").build());
      Eventually.value(() -> allows(broker, "http://three.example") ? true : null);
    } finally {
      broker.close();
      TestDatabase.drop(broker.database);
      broker = null;
    }
  }
}
