package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.state.StateStore;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler against a real kube-apiserver: server-side apply, dry run, ordering, rollback, pruning. */
@ExtendWith(KubeApiServer.Extension.class)
class ReconcilerApiServerTest {
  private final String agentId = UUID.randomUUID().toString();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private Fabric8ClusterOps ops;
  private KubernetesClient kube;
  private StateStore state;
  private Reconciler reconciler;

  @BeforeEach
  void start(KubeApiServer apiServer, @TempDir Path dir) throws Exception {
    vertx = TestVertx.create();
    kube = apiServer.client();
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), new RetryPolicy(50, 2.0, 500, 3_000));
    state = StateStore.open(vertx, dir.toString()).await(10, TimeUnit.SECONDS);
    state.bindTo(agentId);
    reconciler = new Reconciler(vertx, ops, state, agentId);
  }

  @AfterEach
  void stop() throws Exception {
    ops.close();
    kube.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject object(String stackId, String yaml) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("stack_id", stackId)
        .put("yaml_content", yaml).put("yaml_checksum", Pak.sha256Hex(yaml));
  }

  private Reconciler.Report run(JsonObject... objects) throws Exception {
    JsonArray target = new JsonArray();
    for (JsonObject o : objects) {
      target.add(o);
    }
    return reconciler.run(target).await(120, TimeUnit.SECONDS);
  }

  private String lastEventStatus() {
    return state.pendingEvents().get(state.pendingEvents().size() - 1).getString("status");
  }

  @Test
  void crdNamespaceAndCustomResourceApplyInOneBundle() throws Exception {
    String group = "e2e" + suffix + ".example.com";
    String ns = "crd-" + suffix;
    // the custom resource comes first in the bundle: ordering must put its CRD and namespace before it
    String yaml = """
        apiVersion: %1$s/v1
        kind: Widget
        metadata: {name: w1, namespace: %2$s}
        spec: {size: 3}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.%1$s
        spec:
          group: %1$s
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: %2$s}
        """.formatted(group, ns);
    Reconciler.Report report = run(object("stack-" + suffix, yaml));
    assertEquals(1, report.applied(), state.pendingEvents().toString());
    assertEquals("SUCCESS", lastEventStatus());
    GenericKubernetesResource widget = kube.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup(group).withVersion("v1").withKind("Widget").withPlural("widgets").withNamespaced(true).build())
        .inNamespace(ns).withName("w1").get();
    assertNotNull(widget, "the custom resource exists: its CRD was applied first");
    assertEquals(agentId, widget.getMetadata().getAnnotations().get("brokkr.io/owner-id"));
  }

  @Test
  void anInvalidObjectFailsTheDryRunAndRollsBackANewNamespace() throws Exception {
    String ns = "rollback-" + suffix;
    String yaml = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: fine, namespace: %1$s}
        data: {k: v}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: broken, namespace: %1$s}
        spec:
          replicas: "many"
        """.formatted(ns);
    Reconciler.Report report = run(object("stack-rb-" + suffix, yaml));
    assertEquals(1, report.failed());
    assertEquals("FAILURE", lastEventStatus());
    Namespace after = kube.namespaces().withName(ns).get();
    assertTrue(after == null || after.getMetadata().getDeletionTimestamp() != null, "the namespace created by the attempt is rolled back");
    assertNull(kube.configMaps().inNamespace(ns).withName("fine").get(), "nothing is applied when the dry run fails");
    assertTrue(state.pendingEvents().get(0).getString("message") != null);
  }

  @Test
  void aNamespaceThatExistedBeforeIsNotRolledBack() throws Exception {
    String ns = "kept-" + suffix;
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    String yaml = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: broken, namespace: %1$s}
        spec:
          ports: [{port: 99999}]
        """.formatted(ns);
    assertEquals(1, run(object("stack-kept-" + suffix, yaml)).failed());
    assertNull(kube.namespaces().withName(ns).get().getMetadata().getDeletionTimestamp());
  }

  @Test
  void pruningSparesOtherAgentsControlledAndUnownedObjectsAndRepeatsNothing() throws Exception {
    String stack = "stack-prune-" + suffix;
    String v1 = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a-%1$s, namespace: default}
        data: {v: "1"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: b-%1$s, namespace: default}
        data: {v: "1"}
        """.formatted(suffix);
    assertEquals(1, run(object(stack, v1)).applied());
    for (String[] spec : new String[][] {{"other-" + suffix, "someone-else"}, {"unowned-" + suffix, null}}) {
      var meta = new ConfigMapBuilder().withNewMetadata().withName(spec[0]).withNamespace("default")
          .addToAnnotations("k8s.brokkr.io/stack", stack).addToAnnotations("k8s.brokkr.io/deployment-checksum", "old");
      if (spec[1] != null) {
        meta.addToAnnotations("brokkr.io/owner-id", spec[1]);
      }
      kube.configMaps().inNamespace("default").resource(meta.endMetadata().build()).create();
    }
    var parent = kube.configMaps().inNamespace("default").withName("a-" + suffix).get();
    kube.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("child-" + suffix)
        .withNamespace("default").addToAnnotations("k8s.brokkr.io/stack", stack).addToAnnotations("brokkr.io/owner-id", agentId)
        .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName(parent.getMetadata().getName())
        .withUid(parent.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();

    String v2 = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a-%1$s, namespace: default}
        data: {v: "2"}
        """.formatted(suffix);
    JsonObject second = object(stack, v2);
    Reconciler.Report report = run(second);
    assertEquals(1, report.pruned(), "only b is pruned");
    assertNull(kube.configMaps().inNamespace("default").withName("b-" + suffix).get());
    assertEquals("2", kube.configMaps().inNamespace("default").withName("a-" + suffix).get().getData().get("v"));
    for (String survivor : new String[] {"other-", "unowned-", "child-"}) {
      assertNotNull(kube.configMaps().inNamespace("default").withName(survivor + suffix).get(), survivor + " survives");
    }

    long writes = ops.writeCount();
    long calls = ops.callCount();
    Reconciler.Report again = run(second);
    assertEquals(1, again.unchanged());
    assertEquals(writes, ops.writeCount(), "an unchanged target costs no writes");
    assertEquals(calls, ops.callCount(), "nor any call");

    Reconciler.Report gone = run();
    assertEquals(1, gone.goneStacks());
    assertNull(kube.configMaps().inNamespace("default").withName("a-" + suffix).get(), "a stack no longer targeted is removed");
    assertNotNull(kube.configMaps().inNamespace("default").withName("other-" + suffix).get());
  }

  private static JsonObject marker(String stackId, String yaml) {
    return object(stackId, yaml).put("is_deletion_marker", true);
  }

  @Test
  void aDeletionMarkerAppliesNothingAndReportsWhatItPruned() throws Exception {
    String emptied = "stack-marker-" + suffix;
    String twice = "stack-marker2-" + suffix;
    String bundle = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: m1-%1$s, namespace: default}
        data: {v: "1"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: m2-%1$s, namespace: default}
        data: {v: "1"}
        """.formatted(suffix);
    String single = """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: m3-%1$s, namespace: default}
        data: {v: "1"}
        """.formatted(suffix);
    Reconciler.Report first = run(object(emptied, bundle), object(twice, single));
    assertEquals(2, first.applied());
    assertEquals(0, first.markers());

    // an empty marker for one stack; for the other a marker that repeats its YAML (same checksum)
    Reconciler.Report report = run(marker(emptied, ""), marker(twice, single));
    assertEquals(0, report.applied(), "a marker applies nothing");
    assertEquals(2, report.markers());
    assertEquals(3, report.pruned(), "every object of both stacks is removed");
    assertEquals(0, report.failed(), state.pendingEvents().toString());
    for (String cm : new String[] {"m1-", "m2-", "m3-"}) {
      assertNull(kube.configMaps().inNamespace("default").withName(cm + suffix).get(), cm + " is pruned");
    }
    assertEquals("SUCCESS", lastEventStatus(), "a marker carried out is reported like an applied object");
  }

  @Test
  void aFailedObjectIsRetriedOnTheNextPass() throws Exception {
    String ns = "later-" + suffix;
    JsonObject obj = object("stack-retry-" + suffix, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c, namespace: %s}
        data: {k: v}
        """.formatted(ns));
    assertEquals(1, run(obj).failed(), "its namespace does not exist yet");
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    assertEquals(1, run(obj).applied());
    assertNotNull(kube.configMaps().inNamespace(ns).withName("c").get());
  }
}
