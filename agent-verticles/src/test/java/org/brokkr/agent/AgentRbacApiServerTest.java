package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.cluster.ClusterCallException;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.reconcile.Reconciler;
import org.brokkr.agent.state.StateStore;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.agent.testing.Workloads;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped manifests against a real API server: {@code k8s/} passes a server-side dry run, and
 * an agent holding exactly the ClusterRole of {@code k8s/} can reconcile, prune, read health and
 * collect diagnostics, and nothing beyond.
 */
@ExtendWith(KubeApiServer.Extension.class)
class AgentRbacApiServerTest {

  @Test
  void theKustomizeBasePassesAServerSideDryRun(KubeApiServer apiServer) {
    try (KubernetesClient admin = apiServer.client()) {
      if (admin.namespaces().withName("brokkr").get() == null) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("brokkr").endMetadata().build()).create();
      }
    }
    String k8s = KubeApiServer.repositoryRoot().resolve("k8s").toString();
    String out = KubeApiServer.run("kubectl", "apply", "--dry-run=server", "-k", k8s);
    assertNotNull(out);
  }

  @Test
  void theShippedClusterRoleIsEnoughToReconcilePruneAndReadHealth(KubeApiServer apiServer, @TempDir Path dir) throws Exception {
    Path role = KubeApiServer.repositoryRoot().resolve("k8s/agent-clusterrole.yaml");
    String name = "rbac-agent-" + UUID.randomUUID().toString().substring(0, 6);
    Path kubeconfig = apiServer.identity(name, role);
    String ns = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
    String agentId = UUID.randomUUID().toString();
    Vertx vertx = TestVertx.create();
    try (KubernetesClient admin = apiServer.client();
         KubernetesClient asAgent = KubeApiServer.clientOf(KubeApiServer.configOf(kubeconfig))) {
      Fabric8ClusterOps ops = Fabric8ClusterOps.fromConfig(vertx, KubeApiServer.configOf(kubeconfig), Optional.empty(),
          new RetryPolicy(50, 2.0, 500, 2_000));
      StateStore state = StateStore.open(vertx, dir.toString()).await(10, TimeUnit.SECONDS);
      state.bindTo(agentId);
      Reconciler reconciler = new Reconciler(vertx, ops, state, agentId);
      String first = """
          apiVersion: v1
          kind: Namespace
          metadata: {name: %1$s}
          ---
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings, namespace: %1$s}
          data: {k: v}
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: %1$s}
          spec:
            ports: [{port: 80}]
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: %1$s}
          spec:
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec:
                containers: [{name: web, image: registry.example/web:1}]
          """.formatted(ns);
      String stack = "stack-" + ns;
      var report = reconciler.run(new JsonArray().add(object(stack, first))).await(120, TimeUnit.SECONDS);
      assertEquals(1, report.applied(), state.pendingEvents().toString());
      assertNotNull(admin.apps().deployments().inNamespace(ns).withName("web").get());

      String second = """
          apiVersion: v1
          kind: Namespace
          metadata: {name: %1$s}
          ---
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings, namespace: %1$s}
          data: {k: v2}
          """.formatted(ns);
      report = reconciler.run(new JsonArray().add(object(stack, second))).await(120, TimeUnit.SECONDS);
      assertEquals(1, report.applied(), state.pendingEvents().toString());
      assertEquals(2, report.pruned(), "the Service and the Deployment are pruned with the agent's own rights");
      assertNull(admin.apps().deployments().inNamespace(ns).withName("web").get());

      // health reads
      assertNotNull(asAgent.pods().inAnyNamespace().list());
      assertNotNull(asAgent.apps().replicaSets().inAnyNamespace().list());
      assertNotNull(ops.probe().await(10, TimeUnit.SECONDS));

      // and nothing beyond the role
      KubernetesClientException nodes = assertThrows(KubernetesClientException.class, () -> asAgent.nodes().list());
      assertEquals(403, nodes.getCode());
      KubernetesClientException roles = assertThrows(KubernetesClientException.class, () -> asAgent.rbac().clusterRoles()
          .resource(new ClusterRoleBuilder().withNewMetadata().withName("escalate-" + name).endMetadata().build()).create());
      assertEquals(403, roles.getCode());
      KubernetesClientException podDelete = assertThrows(KubernetesClientException.class,
          () -> asAgent.pods().inNamespace(ns).withName("any").delete());
      assertEquals(403, podDelete.getCode());
      ops.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theShippedClusterRoleIsEnoughForHealthAndDiagnostics(KubeApiServer apiServer) throws Exception {
    Path role = KubeApiServer.repositoryRoot().resolve("k8s/agent-clusterrole.yaml");
    String name = "rbac-diag-" + UUID.randomUUID().toString().substring(0, 6);
    Path kubeconfig = apiServer.identity(name, role);
    String ns = "rbac-diag-" + UUID.randomUUID().toString().substring(0, 8);
    Vertx vertx = TestVertx.create();
    try (KubernetesClient admin = apiServer.client()) {
      Fabric8ClusterOps ops = Fabric8ClusterOps.fromConfig(vertx, KubeApiServer.configOf(kubeconfig), Optional.empty(),
          new RetryPolicy(50, 2.0, 500, 2_000));
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      Workloads workloads = new Workloads(admin);
      Deployment web = admin.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata()
          .withName("web").withNamespace(ns).endMetadata().withNewSpec().withNewSelector().addToMatchLabels("app", "web")
          .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
          .addNewContainer().withName("app").withImage("registry.example/web:1").endContainer().endSpec().endTemplate()
          .endSpec().build()).create();
      ReplicaSet rs = workloads.replicaSet(web, "web-1", "web");
      Pod pod = workloads.pod(ns, "web-1-a", rs, Map.of("app", "web"), "app");
      workloads.event(ns, "e1", pod, "BackOff", Instant.now());

      assertTrue(ops.listPods().await(30, TimeUnit.SECONDS).stream()
          .anyMatch(p -> p.getJsonObject("metadata").getString("name").equals("web-1-a")));
      assertTrue(ops.getObject(new ObjectRef("apps/v1", "ReplicaSet", ns, "web-1")).await(30, TimeUnit.SECONDS).isPresent());
      assertTrue(ops.getObject(new ObjectRef("apps/v1", "Deployment", ns, "web")).await(30, TimeUnit.SECONDS).isPresent());
      assertTrue(ops.getObject(new ObjectRef("batch/v1", "Job", ns, "absent")).await(30, TimeUnit.SECONDS).isEmpty());
      assertEquals(1, ops.listEvents(ns).await(30, TimeUnit.SECONDS).size());
      // reading the log is allowed; it fails only because no kubelet serves it here
      Throwable log = ops.podLogTail(ns, "web-1-a", "app", 100).transform(ar -> Future.succeededFuture(ar.cause()))
          .await(30, TimeUnit.SECONDS);
      assertNotNull(log);
      assertNotEquals(403, ((ClusterCallException) log).status(), log.getMessage());
      ops.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static JsonObject object(String stackId, String yaml) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("stack_id", stackId)
        .put("yaml_content", yaml).put("yaml_checksum", Pak.sha256Hex(yaml));
  }
}
