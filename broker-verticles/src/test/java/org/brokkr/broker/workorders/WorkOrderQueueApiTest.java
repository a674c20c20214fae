package org.brokkr.broker.workorders;

import static org.brokkr.broker.workorders.WorkOrderTesting.agents;
import static org.brokkr.broker.workorders.WorkOrderTesting.annotation;
import static org.brokkr.broker.workorders.WorkOrderTesting.body;
import static org.brokkr.broker.workorders.WorkOrderTesting.failure;
import static org.brokkr.broker.workorders.WorkOrderTesting.ids;
import static org.brokkr.broker.workorders.WorkOrderTesting.labels;
import static org.brokkr.broker.workorders.WorkOrderTesting.success;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an agent may claim, the claim, and the outcomes: success, retry with backoff, final failure. */
class WorkOrderQueueApiTest {
  static TestBroker broker;
  static Fixtures fx;
  static WorkOrderTesting wo;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    wo = new WorkOrderTesting(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static void annotate(String agentId, String key, String value) {
    var r = broker.admin().post("/agents/" + agentId + "/annotations",
        new JsonObject().put("agent_id", agentId).put("key", key).put("value", value));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  @Test
  void anAgentSeesOrdersThatTargetItByIdLabelOrAnnotationOldestFirst() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    var byId = fx.agent(List.of());
    var byLabel = fx.agent(List.of());
    var byAnnotation = fx.agent(List.of());
    var wrongValue = fx.agent(List.of());
    var nobody = fx.agent(List.of());
    fx.labelAgent(byLabel.id(), "pool-" + tag);
    annotate(byAnnotation.id(), "zone-" + tag, "eu");
    annotate(wrongValue.id(), "zone-" + tag, "us");
    fx.labelAgent(wrongValue.id(), "other-" + tag);

    String direct = wo.create(agents(byId.id()), "custom").getString("id");
    String labelled = wo.create(labels("pool-" + tag), "build").getString("id");
    String annotated = wo.create(annotation("zone-" + tag, "eu"), "custom").getString("id");
    String all = wo.create(agents(byId.id()).put("labels", new JsonArray().add("pool-" + tag))
        .put("annotations", new JsonObject().put("zone-" + tag, "eu")), "custom").getString("id");

    assertEquals(List.of(direct, all), ids(wo.pending(byId.pak(), byId.id(), "")));
    assertEquals(List.of(labelled, all), ids(wo.pending(byLabel.pak(), byLabel.id(), "")));
    assertEquals(List.of(annotated, all), ids(wo.pending(byAnnotation.pak(), byAnnotation.id(), "")));
    assertEquals(List.of(), ids(wo.pending(wrongValue.pak(), wrongValue.id(), "")), "key and value must both match");
    assertEquals(List.of(), ids(wo.pending(nobody.pak(), nobody.id(), "")));
    assertEquals(List.of(labelled), ids(wo.pending(byLabel.pak(), byLabel.id(), "?work_type=build")));
    assertEquals(List.of(direct, all), ids(wo.pending(broker.adminPak, byId.id(), "")), "admin reads any agent's list");

    wo.claimed(byLabel.pak(), all, byLabel.id());
    assertEquals(List.of(direct), ids(wo.pending(byId.pak(), byId.id(), "")), "a claimed order is no longer pending");

    var other = broker.as(nobody.pak()).get("/agents/" + byId.id() + "/work-orders/pending");
    assertEquals(403, other.statusCode(), "an agent reads only its own list");
    assertEquals(403, broker.as(fx.generator().pak()).get("/agents/" + byId.id() + "/work-orders/pending").statusCode());

    assertEquals(204, broker.admin().delete("/agents/" + byId.id()).statusCode());
    assertEquals(List.of(), ids(wo.pending(broker.adminPak, byId.id(), "")), "a deleted agent is eligible for nothing");
    assertEquals(404, wo.claim(broker.adminPak, direct, byId.id()).statusCode());
  }

  @Test
  void aClaimIsTakenOnceByAnEligibleAgentAndRecorded() {
    var agent = fx.agent(List.of());
    var stranger = fx.agent(List.of());
    String id = wo.create(agents(agent.id()), "custom").getString("id");

    var notMine = wo.claim(stranger.pak(), id, stranger.id());
    assertEquals(404, notMine.statusCode(), notMine.bodyAsString());
    assertEquals("work_order_not_claimable", notMine.bodyAsJsonObject().getString("code"));
    var forSomeoneElse = wo.claim(stranger.pak(), id, agent.id());
    assertEquals(403, forSomeoneElse.statusCode(), "an agent claims only for itself");
    assertEquals(403, wo.claim(fx.generator().pak(), id, agent.id()).statusCode());

    JsonObject claimed = wo.claimed(agent.pak(), id, agent.id());
    assertEquals("CLAIMED", claimed.getString("status"));
    assertEquals(agent.id(), claimed.getString("claimed_by"));
    OffsetDateTime at = OffsetDateTime.parse(claimed.getString("claimed_at"));
    assertTrue(Duration.between(at, OffsetDateTime.now()).abs().toMinutes() < 5);

    var again = wo.claim(agent.pak(), id, agent.id());
    assertEquals(404, again.statusCode());
    assertEquals("work_order_not_claimable", again.bodyAsJsonObject().getString("code"));
    assertEquals(404, wo.claim(agent.pak(), UUID.randomUUID().toString(), agent.id()).statusCode());

    JsonObject event = wo.event("workorder.claimed", "work_order_id", id);
    assertEquals(new JsonObject().put("work_order_id", id).put("work_type", "custom").put("agent_id", agent.id())
        .put("claimed_at", claimed.getString("claimed_at")), event);
    assertEquals(1, wo.audits("workorder.claimed", id));
  }

  @Test
  void anAdminClaimsForAnEligibleAgentOnly() {
    var agent = fx.agent(List.of());
    var stranger = fx.agent(List.of());
    String id = wo.create(agents(agent.id()), "custom").getString("id");
    assertEquals(404, wo.claim(broker.adminPak, id, stranger.id()).statusCode());
    assertEquals(404, wo.claim(broker.adminPak, id, UUID.randomUUID().toString()).statusCode());
    JsonObject claimed = wo.claimed(broker.adminPak, id, agent.id());
    assertEquals(agent.id(), claimed.getString("claimed_by"));
  }

  @Test
  void successMovesTheOrderToTheLogAtTheTimeOfCompletion() throws Exception {
    var agent = fx.agent(List.of());
    JsonObject order = wo.create(agents(agent.id()), "build");
    String id = order.getString("id");
    wo.claimed(agent.pak(), id, agent.id());
    Thread.sleep(20); // so that completion and creation times differ visibly
    var r = wo.complete(agent.pak(), id, success("sha256:feed"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject log = r.bodyAsJsonObject();
    assertEquals(id, log.getString("id"));
    assertEquals(true, log.getBoolean("success"));
    assertEquals("sha256:feed", log.getString("result_message"));
    assertEquals(0, log.getInteger("retries_attempted"));
    assertEquals(agent.id(), log.getString("claimed_by"));
    assertEquals(order.getString("created_at"), log.getString("created_at"));
    OffsetDateTime created = OffsetDateTime.parse(log.getString("created_at"));
    OffsetDateTime completed = OffsetDateTime.parse(log.getString("completed_at"));
    assertTrue(completed.isAfter(created), "completed_at is the completion time, not the creation time");
    assertTrue(!completed.isBefore(OffsetDateTime.parse(log.getString("claimed_at"))));
    assertEquals(0, wo.count("SELECT count(*) FROM work_orders WHERE id = $1::uuid", id));

    JsonObject event = wo.event("workorder.completed", "work_order_log_id", id);
    assertEquals(new JsonObject().put("work_order_log_id", id).put("work_type", "build").put("success", true)
        .put("result_message", "sha256:feed").put("agent_id", agent.id())
        .put("completed_at", log.getString("completed_at")), event);
    assertNotEquals(log.getString("created_at"), event.getString("completed_at"));
    assertEquals(1, wo.audits("workorder.completed", id));
    var twice = wo.complete(agent.pak(), id, success("again"));
    assertEquals(404, twice.statusCode());
    assertEquals("work_order_not_found", twice.bodyAsJsonObject().getString("code"));
  }

  @Test
  void retryableFailuresBackOffExponentiallyUntilTheRetriesAreSpent() {
    var agent = fx.agent(List.of());
    String id = wo.create(body("custom", agents(agent.id())).put("max_retries", 2).put("backoff_seconds", 7))
        .getString("id");
    for (int attempt = 1; attempt <= 2; attempt++) {
      wo.claimed(agent.pak(), id, agent.id());
      var r = wo.complete(agent.pak(), id, attempt == 1 ? new JsonObject().put("success", false) : failure("flaky", true));
      assertEquals(202, r.statusCode(), r.bodyAsString());
      assertEquals(new JsonObject().put("status", "retry_scheduled"), r.bodyAsJsonObject());
      JsonObject order = broker.admin().get("/work-orders/" + id).bodyAsJsonObject();
      assertEquals("RETRY_PENDING", order.getString("status"));
      assertEquals(attempt, order.getInteger("retry_count"));
      assertNull(order.getValue("claimed_by"));
      assertNull(order.getValue("claimed_at"));
      assertEquals(attempt == 1 ? "Unknown error" : "flaky", order.getString("last_error"));
      Duration wait = Duration.between(OffsetDateTime.parse(order.getString("last_error_at")),
          OffsetDateTime.parse(order.getString("next_retry_after")));
      assertEquals(7L << attempt, wait.getSeconds(), "backoff_seconds x 2^retry_count");
      assertEquals(1, wo.count("SELECT count(*) FROM audit_logs WHERE action = 'workorder.retry' AND resource_id = $1::uuid "
          + "AND (details->>'retry_count')::int = $2", id, attempt));
      assertEquals(404, wo.claim(agent.pak(), id, agent.id()).statusCode(), "not claimable before its time");
      wo.sql("UPDATE work_orders SET status = 'PENDING', next_retry_after = NULL WHERE id = $1::uuid", id);
    }
    wo.claimed(agent.pak(), id, agent.id());
    var last = wo.complete(agent.pak(), id, failure("still broken", true));
    assertEquals(200, last.statusCode(), last.bodyAsString());
    JsonObject log = last.bodyAsJsonObject();
    assertEquals(false, log.getBoolean("success"));
    assertEquals(2, log.getInteger("retries_attempted"));
    assertEquals("still broken", log.getString("result_message"));
    JsonObject event = wo.event("workorder.failed", "work_order_log_id", id);
    assertEquals(log.getString("completed_at"), event.getString("completed_at"));
    assertEquals(false, event.getBoolean("success"));
    assertEquals(1, wo.audits("workorder.failed", id));
  }

  @Test
  void aFailureThatIsNotRetryableEndsAtOnce() {
    var agent = fx.agent(List.of());
    String id = wo.create(agents(agent.id()), "custom").getString("id");
    wo.claimed(agent.pak(), id, agent.id());
    var r = wo.complete(agent.pak(), id, failure("invalid manifest", false));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(0, r.bodyAsJsonObject().getInteger("retries_attempted"));
    assertEquals(1, wo.count("SELECT count(*) FROM audit_logs WHERE action = 'workorder.failed' AND resource_id = $1::uuid "
        + "AND details->>'retryable' = 'false'", id));
  }

  @Test
  void onlyTheClaimantOrAnAdminCompletesAndOnlyAClaimedOrder() {
    var agent = fx.agent(List.of());
    var other = fx.agent(List.of());
    String id = wo.create(agents(agent.id(), other.id()), "custom").getString("id");
    long before = wo.storedRows();

    var unclaimedByAgent = wo.complete(agent.pak(), id, success("x"));
    assertEquals(403, unclaimedByAgent.statusCode(), unclaimedByAgent.bodyAsString());
    assertEquals("work_order_not_claimed_by_agent", unclaimedByAgent.bodyAsJsonObject().getString("code"));
    var unclaimedByAdmin = wo.complete(broker.adminPak, id, success("x"));
    assertEquals(409, unclaimedByAdmin.statusCode(), unclaimedByAdmin.bodyAsString());
    assertEquals("work_order_not_claimed", unclaimedByAdmin.bodyAsJsonObject().getString("code"));
    assertEquals(before, wo.storedRows());

    wo.claimed(agent.pak(), id, agent.id());
    before = wo.storedRows();
    var wrongAgent = wo.complete(other.pak(), id, success("x"));
    assertEquals(403, wrongAgent.statusCode());
    assertEquals("work_order_not_claimed_by_agent", wrongAgent.bodyAsJsonObject().getString("code"));
    assertEquals(403, wo.complete(fx.generator().pak(), id, success("x")).statusCode());
    assertEquals(404, wo.complete(broker.adminPak, UUID.randomUUID().toString(), success("x")).statusCode());
    assertEquals(before, wo.storedRows());
    assertEquals("CLAIMED", broker.admin().get("/work-orders/" + id).bodyAsJsonObject().getString("status"));

    assertEquals(202, wo.complete(broker.adminPak, id, failure("retry me", true)).statusCode(), "an admin may complete");
    var retryPending = wo.complete(broker.adminPak, id, success("x"));
    assertEquals(409, retryPending.statusCode());
    assertEquals("work_order_not_claimed", retryPending.bodyAsJsonObject().getString("code"));
    assertEquals(403, wo.complete(agent.pak(), id, success("x")).statusCode(), "the claim went with the retry");
  }
}
