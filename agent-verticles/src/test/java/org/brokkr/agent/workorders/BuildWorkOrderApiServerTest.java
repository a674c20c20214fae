package org.brokkr.agent.workorders;

import static org.brokkr.agent.workorders.WorkOrderTestbed.complete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeWorkOrderBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.agent.testing.ShipwrightCrds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Build work orders on Shipwright against a real kube-apiserver with Shipwright's CRDs (the test
 * writes BuildRun statuses as Shipwright's controller would) and a broker answering the
 * reference's work-order contract, which records what the agent sent.
 */
@ExtendWith(KubeApiServer.Extension.class)
class BuildWorkOrderApiServerTest {
  private WorkOrderTestbed bed;

  @BeforeEach
  void start(KubeApiServer apiServer) throws Exception {
    bed = new WorkOrderTestbed(apiServer);
  }

  @AfterEach
  void stop() throws Exception {
    bed.close();
  }

  @Test
  void aSucceededBuildRunReportsItsImageDigest() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("build", bed.buildYaml("app"), bed.agentId, 3600, 3);
    GenericKubernetesResource run = bed.awaitBuildRun(id, 1);

    assertTrue(run.getMetadata().getName().startsWith("app-" + id.substring(0, 8) + "-"), run.getMetadata().getName());
    assertEquals("app", run.getMetadata().getLabels().get("shipwright.io/build"));
    assertEquals(Map.of("build", Map.of("name", "app")), run.getAdditionalProperties().get("spec"));
    GenericKubernetesResource build = bed.kube.genericKubernetesResources(ShipwrightCrds.BUILDS).inNamespace(bed.ns)
        .withName("app").get();
    assertNotNull(build, "the Build is applied before its run");
    assertTrue(build.getMetadata().getManagedFields().stream().anyMatch(f -> "brokkr-agent".equals(f.getManager())
        && "Apply".equals(f.getOperation())), "applied server-side as brokkr-agent");

    bed.writeBuildRunStatus(run, "Unknown", "Running", Map.of());
    String digest = "sha256:" + "ab".repeat(32);
    bed.writeBuildRunStatus(run, "True", "Succeeded", Map.of("output", Map.of("digest", digest, "size", 1234)));

    JsonObject entry = bed.awaitLog(id);
    assertTrue(entry.getBoolean("success"));
    assertEquals(digest, entry.getString("result_message"));
    List<FakeWorkOrderBroker.Received> got = bed.broker.received(id);
    assertEquals(2, got.size(), bed.broker.describe().toString());
    assertEquals("claim", got.get(0).action());
    assertEquals(new JsonObject().put("agent_id", bed.agentId.toString()), got.get(0).body());
    assertEquals("complete", got.get(1).action());
    assertEquals(complete(true, digest, true), got.get(1).body());
    assertTrue(bed.metrics.render().contains("brokkr_agent_work_orders_total{result=\"succeeded\"} 1"), bed.metrics.render());
  }

  @Test
  void aFailedBuildRunReportsShipwrightsReasonAndMessage() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("build", bed.buildYaml("private-app"), bed.agentId, 3600, 3);
    GenericKubernetesResource run = bed.awaitBuildRun(id, 1);
    bed.writeBuildRunStatus(run, "False", "Failed", Map.of("failureDetails", Map.of("reason", "GitRemotePrivate",
        "message", "the git repository is private or not found", "location", Map.of("pod", "p", "container", "source"))));

    assertFalse(bed.awaitLog(id).getBoolean("success"));
    assertEquals(complete(false, "GitRemotePrivate: the git repository is private or not found", false), bed.lastComplete(id));
    assertEquals(1, bed.buildRuns(id).size());
  }

  @Test
  void aBuildRunStillRunningAtTheClaimDeadlineIsReportedAsATimeout() throws Exception {
    bed.startAgent(bed.ops);
    // a 4 s claim timeout leaves 2 s to wait; the run never finishes
    String id = bed.broker.create("build", bed.buildYaml("slow-app"), bed.agentId, 4, 3);
    GenericKubernetesResource run = bed.awaitBuildRun(id, 1);
    bed.writeBuildRunStatus(run, "Unknown", "Running", Map.of());

    assertFalse(bed.awaitLog(id).getBoolean("success"));
    JsonObject body = bed.lastComplete(id);
    String message = body.getString("message");
    assertTrue(message.startsWith("BuildRun " + bed.ns + "/" + run.getMetadata().getName() + " timed out"), message);
    assertTrue(message.contains("was not cancelled"), message);
    assertFalse(message.contains(" failed: "), "a timeout is not reported as a build failure: " + message);
    assertFalse(body.getBoolean("retryable"));
    assertEquals(1, bed.buildRuns(id).size(), "the run is left alone");
  }

  @Test
  void aRetriedBuildGetsANewBuildRun() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("build", bed.buildYaml("retried-app"), bed.agentId, 3600, 1);
    GenericKubernetesResource first = bed.awaitBuildRun(id, 1);
    bed.writeBuildRunStatus(first, "False", "Failed", Map.of("failureDetails", Map.of("reason", "PushFailed",
        "message", "registry unavailable: connection reset")));

    Eventually.holds(WorkOrderTestbed.WAIT, "the first failure reported", () -> bed.broker.received(id).stream()
        .anyMatch(r -> r.action().equals("complete")));
    assertEquals(complete(false, "PushFailed: registry unavailable: connection reset", true), bed.lastComplete(id));

    GenericKubernetesResource second = bed.awaitBuildRun(id, 2);
    assertNotEquals(first.getMetadata().getName(), second.getMetadata().getName());
    bed.writeBuildRunStatus(second, "True", "Succeeded", Map.of("output", Map.of("digest", "sha256:" + "cd".repeat(32))));

    JsonObject entry = bed.awaitLog(id);
    assertTrue(entry.getBoolean("success"), entry.encode());
    assertEquals(1, entry.getInteger("retries_attempted"));
    assertEquals(List.of("claim", "complete", "claim", "complete"),
        bed.broker.received(id).stream().map(FakeWorkOrderBroker.Received::action).toList());
  }

  @Test
  void withoutShipwrightABuildFailsClearlyAndAppliesNothing() throws Exception {
    bed.startAgent(withoutBuildRuns(bed.ops));
    String id = bed.broker.create("build", bed.buildYaml("nowhere-app"), bed.agentId, 3600, 3);

    bed.awaitLog(id);
    JsonObject body = bed.lastComplete(id);
    assertTrue(body.getString("message").startsWith("Shipwright is not installed"), body.encode());
    assertFalse(body.getBoolean("retryable"));
    assertNull(bed.kube.genericKubernetesResources(ShipwrightCrds.BUILDS).inNamespace(bed.ns).withName("nowhere-app").get());
  }

  /**
   * The cluster as an agent sees it where Shipwright's BuildRun kind is not served: questions about
   * BuildRuns are asked of the real API server for a version it does not serve.
   */
  private static ClusterOps withoutBuildRuns(ClusterOps real) {
    return (ClusterOps) Proxy.newProxyInstance(ClusterOps.class.getClassLoader(), new Class<?>[] {ClusterOps.class},
        (proxy, method, args) -> {
          Object[] a = args == null ? null : args.clone();
          if (method.getName().equals("serves") && "BuildRun".equals(a[1])) {
            a[0] = "shipwright.io/v0notinstalled";
          } else if (method.getName().equals("status") && a[0] instanceof ObjectRef ref && "BuildRun".equals(ref.kind())) {
            a[0] = new ObjectRef("shipwright.io/v0notinstalled", ref.kind(), ref.namespace(), ref.name());
          }
          try {
            return method.invoke(real, a);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void theShippedClusterRoleIsEnoughForBuildAndCustomOrders(KubeApiServer apiServer) throws Exception {
    Path role = KubeApiServer.repositoryRoot().resolve("k8s/agent-clusterrole.yaml");
    Path kubeconfig = apiServer.identity("wo-agent-" + UUID.randomUUID().toString().substring(0, 6), role);
    Fabric8ClusterOps asAgent = Fabric8ClusterOps.fromConfig(bed.vertx, KubeApiServer.configOf(kubeconfig), Optional.empty(),
        WorkOrderTestbed.fastRetry());
    try (KubernetesClient agentClient = KubeApiServer.clientOf(KubeApiServer.configOf(kubeconfig))) {
      bed.startAgent(asAgent);
      String build = bed.broker.create("build", bed.buildYaml("rbac-app"), bed.agentId, 3600, 0);
      GenericKubernetesResource run = bed.awaitBuildRun(build, 1);
      bed.writeBuildRunStatus(run, "True", "Succeeded", Map.of("output", Map.of("digest", "sha256:" + "ef".repeat(32))));
      assertTrue(bed.awaitLog(build).getBoolean("success"), bed.lastComplete(build).encode());

      String custom = bed.broker.create("custom", bed.jobYaml("rbac-job"), bed.agentId, 3600, 0);
      bed.awaitJob("rbac-job");
      bed.finishJob("rbac-job", true);
      assertTrue(bed.awaitLog(custom).getBoolean("success"), bed.lastComplete(custom).encode());

      KubernetesClientException delete = assertThrows(KubernetesClientException.class, () -> agentClient
          .genericKubernetesResources(ShipwrightCrds.BUILD_RUNS).inNamespace(bed.ns).withName(run.getMetadata().getName()).delete());
      assertEquals(403, delete.getCode(), "the agent never deletes BuildRuns");
    } finally {
      asAgent.close();
    }
  }
}
