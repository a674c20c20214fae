package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.OwnershipAnnotations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The asynchronous, cached discovery against a real kube-apiserver: a kind found is not asked for
 * again, a kind not found is asked for on every call (so a CRD installed by anyone is seen at
 * once), and a CRD the agent applies or deletes makes the next owned-object scan and kind lookup
 * discover anew;
 * deletes, which need discovery for the kind's plural and scope.
 */
@ExtendWith(KubeApiServer.Extension.class)
class DiscoveryApiServerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final String owner = UUID.randomUUID().toString();
  private Vertx vertx;
  private Fabric8ClusterOps ops;
  private KubernetesClient kube;

  @BeforeEach
  void start(KubeApiServer apiServer) {
    vertx = TestVertx.create();
    kube = apiServer.client();
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), RetryPolicy.NONE);
  }

  @AfterEach
  void stop() throws Exception {
    ops.close();
    kube.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Map<String, Object> crd(String group, String kind, String plural) {
    return Map.of("apiVersion", "apiextensions.k8s.io/v1", "kind", "CustomResourceDefinition",
        "metadata", Map.of("name", plural + "." + group),
        "spec", Map.of("group", group, "scope", "Namespaced",
            "names", Map.of("plural", plural, "singular", plural.substring(0, plural.length() - 1), "kind", kind),
            "versions", List.of(Map.of("name", "v1", "served", true, "storage", true,
                "schema", Map.of("openAPIV3Schema", Map.of("type", "object", "x-kubernetes-preserve-unknown-fields", true))))));
  }

  private boolean serves(String apiVersion, String kind) {
    try {
      return ops.serves(apiVersion, kind).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<ObjectRef> owned() throws Exception {
    return ops.listAnnotated(OwnershipAnnotations.OWNER_ID, owner).await(60, TimeUnit.SECONDS).stream()
        .map(LiveObject::ref).toList();
  }

  @Test
  void aKindFoundIsRememberedAndOneNotFoundIsAskedForAgain() {
    assertTrue(serves("v1", "ConfigMap"));
    long calls = ops.callCount();
    assertTrue(serves("v1", "ConfigMap"));
    assertEquals(calls, ops.callCount(), "a kind found is not looked up again");
    String group = "seen-" + suffix + ".brokkr.test";
    assertFalse(serves(group + "/v1", "Sprocket"));
    calls = ops.callCount();
    assertFalse(serves(group + "/v1", "Sprocket"));
    assertEquals(calls + 1, ops.callCount(), "a kind not served is asked for again");
    kube.resource(kube.getKubernetesSerialization().convertValue(crd(group, "Sprocket", "sprockets"),
        io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class)).create();
    try {
      Eventually.holds(WAIT, "a CRD installed by someone else is served", () -> serves(group + "/v1", "Sprocket"));
    } finally {
      kube.apiextensions().v1().customResourceDefinitions().withName("sprockets." + group).delete();
    }
  }

  @Test
  void deletesAnObjectAndToleratesOneAlreadyGone() throws Exception {
    String name = "doomed-" + suffix;
    kube.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName(name).endMetadata().addToData("k", "v").build()).create();
    long writes = ops.writeCount();
    ops.delete(new ObjectRef("v1", "ConfigMap", "default", name)).await(30, TimeUnit.SECONDS);
    assertEquals(null, kube.configMaps().inNamespace("default").withName(name).get());
    ops.delete(new ObjectRef("v1", "ConfigMap", "default", name)).await(30, TimeUnit.SECONDS);
    assertEquals(writes + 2, ops.writeCount(), "each delete counts as a write");
    long calls = ops.callCount();
    ops.delete(new ObjectRef("gone-" + suffix + ".brokkr.test/v1", "Relic", "default", "r1")).await(30, TimeUnit.SECONDS);
    assertEquals(calls + 1, ops.callCount(), "an object of a kind no longer served is gone: discovery only, no delete");
  }

  @Test
  void aCrdAppliedByTheAgentIsPartOfTheNextOwnedObjectScan() throws Exception {
    String group = "scan-" + suffix + ".brokkr.test";
    String apiVersion = group + "/v1";
    assertEquals(List.of(), owned(), "nothing owned yet: the listable kinds are now cached");
    ops.apply(crd(group, "Gizmo", "gizmos"), "brokkr-controller", false).await(30, TimeUnit.SECONDS);
    try {
      Eventually.holds(WAIT, "the new kind is served", () -> serves(apiVersion, "Gizmo"));
      Map<String, Object> gizmo = Map.of("apiVersion", apiVersion, "kind", "Gizmo",
          "metadata", Map.of("name", "g1", "namespace", "default", "annotations", Map.of(OwnershipAnnotations.OWNER_ID, owner)));
      ops.apply(gizmo, "brokkr-controller", false).await(30, TimeUnit.SECONDS);
      ObjectRef ref = new ObjectRef(apiVersion, "Gizmo", "default", "g1");
      assertEquals(List.of(ref), owned(), "the scan lists the kind its CRD just added");
      ops.delete(ref).await(30, TimeUnit.SECONDS);
      assertEquals(List.of(), owned());
    } finally {
      ops.delete(new ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "gizmos." + group))
          .await(30, TimeUnit.SECONDS);
    }
  }
}
