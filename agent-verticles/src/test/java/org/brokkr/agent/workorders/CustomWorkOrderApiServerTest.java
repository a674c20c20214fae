package org.brokkr.agent.workorders;

import static org.brokkr.agent.workorders.WorkOrderTestbed.complete;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.testing.FakeWorkOrderBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Custom work orders (apply, then wait for Jobs) and the work-order timer's own rules (claims,
 * reports, ACTIVE only) against a real kube-apiserver, where the test writes Job statuses as the
 * Job controller would, and a broker answering the reference's work-order contract.
 */
@ExtendWith(KubeApiServer.Extension.class)
class CustomWorkOrderApiServerTest {
  private WorkOrderTestbed bed;

  @BeforeEach
  void start(KubeApiServer apiServer) throws Exception {
    bed = new WorkOrderTestbed(apiServer);
  }

  @AfterEach
  void stop() throws Exception {
    bed.close();
  }

  private String configMap(String name) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: %s, namespace: %s}
        """.formatted(name, bed.ns);
  }

  @Test
  void aCustomOrderWithACompletedJobSucceeds() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("custom", bed.jobYaml("migrate"), bed.agentId, 3600, 3);
    bed.awaitJob("migrate");
    assertNotNull(bed.kube.configMaps().inNamespace(bed.ns).withName("migrate-settings").get());
    bed.finishJob("migrate", true);

    assertTrue(bed.awaitLog(id).getBoolean("success"));
    assertEquals(complete(true, "applied 2 resource(s); Job " + bed.ns + "/migrate completed", true), bed.lastComplete(id));
  }

  @Test
  void aCustomOrderWithAFailedJobReportsTheJobsReason() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("custom", bed.jobYaml("broken"), bed.agentId, 3600, 3);
    bed.awaitJob("broken");
    bed.finishJob("broken", false);

    bed.awaitLog(id);
    assertEquals(complete(false, "Job " + bed.ns + "/broken failed: BackoffLimitExceeded: Job has reached the specified backoff limit",
        false), bed.lastComplete(id));
  }

  @Test
  void aJobStillRunningAtTheClaimDeadlineIsATimeoutNotAFailure() throws Exception {
    bed.startAgent(bed.ops);
    // a 4 s claim timeout leaves 2 s to wait; nobody finishes the Job
    String id = bed.broker.create("custom", bed.jobYaml("endless"), bed.agentId, 4, 3);

    bed.awaitLog(id);
    JsonObject body = bed.lastComplete(id);
    String message = body.getString("message");
    assertTrue(message.startsWith("Job " + bed.ns + "/endless timed out"), message);
    assertTrue(message.contains("was not cancelled"), message);
    assertFalse(message.contains(" failed: "), "a timeout is not reported as a Job failure: " + message);
    assertFalse(body.getBoolean("retryable"));
    assertNotNull(bed.kube.batch().v1().jobs().inNamespace(bed.ns).withName("endless").get(), "the Job is left running");
  }

  @Test
  void aJobThatVanishesIsAFailure() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("custom", bed.jobYaml("vanishing"), bed.agentId, 3600, 3);
    bed.awaitJob("vanishing");
    // background propagation: no orphan finalizer, which only a garbage collector (absent here) would remove
    bed.kube.batch().v1().jobs().inNamespace(bed.ns).withName("vanishing").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();

    bed.awaitLog(id);
    assertEquals(complete(false, "Job " + bed.ns + "/vanishing disappeared before it finished", false), bed.lastComplete(id));
  }

  @Test
  void aCustomOrderWithoutAJobSucceedsOnceApplied() throws Exception {
    bed.startAgent(bed.ops);
    String yaml = configMap("flags") + "data: {beta: \"true\"}\n---\n" + """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: runner, namespace: %s}
        """.formatted(bed.ns);
    String id = bed.broker.create("custom", yaml, bed.agentId, 3600, 3);

    assertTrue(bed.awaitLog(id).getBoolean("success"));
    assertEquals(complete(true, "applied 2 resource(s) (apply only: no Job to wait for)", true), bed.lastComplete(id));
    assertEquals("true", bed.kube.configMaps().inNamespace(bed.ns).withName("flags").get().getData().get("beta"));
    assertNotNull(bed.kube.serviceAccounts().inNamespace(bed.ns).withName("runner").get());
  }

  @Test
  void anUnknownWorkTypeIsRefusedForGood() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("teleport", configMap("never"), bed.agentId, 3600, 3);

    bed.awaitLog(id);
    assertEquals(complete(false, "Unknown work type: teleport", false), bed.lastComplete(id));
  }

  @Test
  void aRefusedClaimIsSkippedAndTheNextOrderIsTaken() throws Exception {
    String refused = bed.broker.create("custom", configMap("skipped"), bed.agentId, 3600, 3);
    String next = bed.broker.create("custom", configMap("taken"), bed.agentId, 3600, 3);
    bed.broker.refuseNextClaim(refused, 409);
    bed.startAgent(bed.ops);

    bed.awaitLog(next);
    FakeWorkOrderBroker.Received first = bed.broker.received().get(0);
    assertEquals(refused, first.workOrderId(), "the refused order was tried first");
    assertEquals("claim", first.action());
    assertEquals(new JsonObject().put("agent_id", bed.agentId.toString()), first.body());
    assertTrue(bed.broker.received(refused).stream().noneMatch(r -> r.action().equals("complete")), "nothing to report");
    assertNotNull(bed.kube.configMaps().inNamespace(bed.ns).withName("taken").get());
    assertTrue(bed.metrics.render().contains("brokkr_agent_work_orders_total{result=\"not_claimable\"} 1"), bed.metrics.render());
  }

  @Test
  void aResultTheBrokerCannotTakeYetIsReportedAgain() throws Exception {
    bed.startAgent(bed.ops);
    String id = bed.broker.create("custom", configMap("reported"), bed.agentId, 3600, 3);
    bed.broker.failNextCompletes(id, 2);

    assertTrue(bed.awaitLog(id).getBoolean("success"));
    List<JsonObject> completes = bed.broker.received(id).stream().filter(r -> r.action().equals("complete"))
        .map(FakeWorkOrderBroker.Received::body).toList();
    JsonObject expected = complete(true, "applied 1 resource(s) (apply only: no Job to wait for)", true);
    assertEquals(List.of(expected, expected, expected), completes, "the same result, until the broker took it");
    assertEquals(1, bed.broker.received(id).stream().filter(r -> r.action().equals("claim")).count(), "the order ran once");
  }

  @Test
  void anInactiveAgentTakesNoWorkUntilActivated() throws Exception {
    bed.runtime.status("INACTIVE");
    String id = bed.broker.create("custom", configMap("later"), bed.agentId, 3600, 3);
    bed.startAgent(bed.ops);
    for (int i = 0; i < 3; i++) {
      bed.verticle.pass().await(30, TimeUnit.SECONDS);
    }
    assertEquals(List.of(), bed.broker.received(), "no claim while INACTIVE");
    assertEquals(0, bed.broker.pendingPolls(), "not even a look at the queue");

    bed.runtime.status("ACTIVE");
    assertTrue(bed.awaitLog(id).getBoolean("success"));
  }
}
