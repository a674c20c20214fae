package org.brokkr.broker.workorders;

import static org.brokkr.broker.workorders.WorkOrderTesting.agents;
import static org.brokkr.broker.workorders.WorkOrderTesting.body;
import static org.brokkr.broker.workorders.WorkOrderTesting.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Creating, listing, reading and cancelling work orders, and who may see them (admin only). */
class WorkOrdersApiTest {
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

  @Test
  void createQueuesAPendingOrderWithTheDefaultsAnEventAndAnAuditRow() {
    var agent = fx.agent(List.of());
    JsonObject order = wo.create(agents(agent.id()), "build");
    assertEquals("PENDING", order.getString("status"));
    assertEquals("build", order.getString("work_type"));
    assertEquals(WorkOrderTesting.YAML, order.getString("yaml_content"));
    assertEquals(3, order.getInteger("max_retries"));
    assertEquals(60, order.getInteger("backoff_seconds"));
    assertEquals(3600, order.getInteger("claim_timeout_seconds"));
    assertEquals(0, order.getInteger("retry_count"));
    for (String absent : List.of("claimed_by", "claimed_at", "next_retry_after", "last_error", "last_error_at")) {
      assertTrue(order.containsKey(absent) && order.getValue(absent) == null, absent);
    }
    assertNotNull(order.getString("created_at"));

    JsonObject event = wo.event("workorder.created", "work_order_id", order.getString("id"));
    assertEquals(new JsonObject().put("work_order_id", order.getString("id")).put("work_type", "build")
        .put("status", "PENDING").put("created_at", order.getString("created_at")), event);
    assertEquals(1, wo.audits("workorder.created", order.getString("id")));
  }

  @Test
  void explicitSettingsAreKept() {
    var agent = fx.agent(List.of());
    JsonObject order = wo.create(body("custom", agents(agent.id())).put("max_retries", 0).put("backoff_seconds", 5)
        .put("claim_timeout_seconds", 30));
    assertEquals(0, order.getInteger("max_retries"));
    assertEquals(5, order.getInteger("backoff_seconds"));
    assertEquals(30, order.getInteger("claim_timeout_seconds"));
  }

  @Test
  void targetingByAgentsLabelsAnnotationsAndTheLegacyFieldIsStored() {
    var a = fx.agent(List.of());
    var b = fx.agent(List.of());
    JsonObject targeting = agents(a.id()).put("labels", new JsonArray().add("gpu").add("gpu").add(" arm64 "))
        .put("annotations", new JsonObject().put("zone", "eu-1").put("tier", "batch"));
    JsonObject order = wo.create(body("custom", targeting).put("target_agent_ids", new JsonArray().add(b.id()).add(a.id())));
    String id = order.getString("id");
    assertEquals(2, wo.count("SELECT count(*) FROM work_order_targets WHERE work_order_id = $1::uuid", id),
        "targeting.agent_ids and target_agent_ids are merged, a repeated id counts once");
    assertEquals(List.of("arm64", "gpu"), wo.sql("SELECT label FROM work_order_labels WHERE work_order_id = $1::uuid "
        + "ORDER BY label", id).stream().map(r -> r.getString(0)).toList(), "labels trimmed, repeats dropped");
    assertEquals(2, wo.count("SELECT count(*) FROM work_order_annotations WHERE work_order_id = $1::uuid", id));

    JsonObject legacyOnly = wo.create(new JsonObject().put("work_type", "custom").put("yaml_content", WorkOrderTesting.YAML)
        .put("target_agent_ids", new JsonArray().add(b.id())));
    assertEquals(List.of(b.id()), wo.sql("SELECT agent_id::text FROM work_order_targets WHERE work_order_id = $1::uuid",
        legacyOnly.getString("id")).stream().map(r -> r.getString(0)).toList());
  }

  @Test
  void withoutAnyTargetingNothingIsQueued() {
    long before = wo.storedRows();
    for (JsonObject body : List.of(
        new JsonObject().put("work_type", "custom").put("yaml_content", WorkOrderTesting.YAML),
        body("custom", new JsonObject()),
        body("custom", new JsonObject().put("agent_ids", new JsonArray()).put("labels", new JsonArray())
            .put("annotations", new JsonObject())),
        body("custom", null).put("target_agent_ids", new JsonArray()))) {
      var r = broker.admin().post("/work-orders", body);
      assertEquals(400, r.statusCode(), body.encode() + " -> " + r.bodyAsString());
      assertEquals("no_targeting_specified", r.bodyAsJsonObject().getString("code"));
    }
    assertEquals(before, wo.storedRows());
  }

  @Test
  void anUnknownAgentIsA422AndLeavesNothingBehind() {
    var known = fx.agent(List.of());
    long before = wo.storedRows();
    var r = broker.admin().post("/work-orders", body("custom", agents(known.id(), UUID.randomUUID().toString())
        .put("labels", new JsonArray().add("x"))));
    assertEquals(422, r.statusCode(), r.bodyAsString());
    assertEquals("foreign_key_violation", r.bodyAsJsonObject().getString("code"));
    assertEquals(before, wo.storedRows(), "no order, target, label, event or audit row");
  }

  @Test
  void theQueueListIsNewestFirstAndFilteredByStatusAndWorkType() {
    var agent = fx.agent(List.of());
    String type = "list-" + UUID.randomUUID().toString().substring(0, 8);
    String first = wo.create(agents(agent.id()), type).getString("id");
    String second = wo.create(agents(agent.id()), type).getString("id");
    String third = wo.create(agents(agent.id()), type).getString("id");
    wo.claimed(agent.pak(), second, agent.id());

    var all = broker.admin().get("/work-orders?work_type=" + type);
    assertEquals(200, all.statusCode(), all.bodyAsString());
    assertEquals(List.of(third, second, first), ids(all.bodyAsJsonArray()));
    assertEquals(List.of(third, first), ids(broker.admin().get("/work-orders?status=PENDING&work_type=" + type)
        .bodyAsJsonArray()));
    assertEquals(List.of(second), ids(broker.admin().get("/work-orders?status=CLAIMED&work_type=" + type)
        .bodyAsJsonArray()));
    assertEquals(List.of(), ids(broker.admin().get("/work-orders?status=RETRY_PENDING&work_type=" + type)
        .bodyAsJsonArray()));
    assertTrue(ids(broker.admin().get("/work-orders").bodyAsJsonArray()).containsAll(List.of(first, second, third)));
  }

  @Test
  void getReadsTheQueueThenTheLog() {
    var agent = fx.agent(List.of());
    JsonObject order = wo.create(agents(agent.id()), "custom");
    String id = order.getString("id");
    var active = broker.admin().get("/work-orders/" + id);
    assertEquals(200, active.statusCode(), active.bodyAsString());
    assertEquals(order, active.bodyAsJsonObject());

    wo.claimed(agent.pak(), id, agent.id());
    var done = wo.complete(agent.pak(), id, WorkOrderTesting.success("sha256:abc"));
    assertEquals(200, done.statusCode(), done.bodyAsString());
    JsonObject log = done.bodyAsJsonObject();
    JsonObject rebuilt = broker.admin().get("/work-orders/" + id).bodyAsJsonObject();
    assertEquals("COMPLETED", rebuilt.getString("status"));
    assertEquals(log.getString("completed_at"), rebuilt.getString("updated_at"));
    assertEquals(order.getString("created_at"), rebuilt.getString("created_at"));
    assertEquals(agent.id(), rebuilt.getString("claimed_by"));
    assertEquals(0, rebuilt.getInteger("max_retries"));
    assertEquals(0, rebuilt.getInteger("backoff_seconds"));
    assertEquals(0, rebuilt.getInteger("claim_timeout_seconds"));
    assertNull(rebuilt.getValue("last_error"));

    JsonObject failed = wo.create(agents(agent.id()), "custom");
    wo.claimed(agent.pak(), failed.getString("id"), agent.id());
    assertEquals(200, wo.complete(agent.pak(), failed.getString("id"), WorkOrderTesting.failure("boom", false)).statusCode());
    JsonObject rebuiltFailure = broker.admin().get("/work-orders/" + failed.getString("id")).bodyAsJsonObject();
    assertEquals("FAILED", rebuiltFailure.getString("status"));
    assertEquals("boom", rebuiltFailure.getString("last_error"));
    assertEquals(rebuiltFailure.getString("updated_at"), rebuiltFailure.getString("last_error_at"));

    var missing = broker.admin().get("/work-orders/" + UUID.randomUUID());
    assertEquals(404, missing.statusCode());
    assertEquals("work_order_not_found", missing.bodyAsJsonObject().getString("code"));
  }

  @Test
  void deleteCancelsAQueuedOrderWithItsTargetingButNotALogEntry() {
    var agent = fx.agent(List.of());
    String id = wo.create(body("custom", agents(agent.id()).put("labels", new JsonArray().add("del"))
        .put("annotations", new JsonObject().put("k", "v")))).getString("id");
    wo.claimed(agent.pak(), id, agent.id());
    var r = broker.admin().delete("/work-orders/" + id);
    assertEquals(204, r.statusCode(), r.bodyAsString());
    assertEquals(404, broker.admin().get("/work-orders/" + id).statusCode());
    assertEquals(0, wo.count("""
        SELECT (SELECT count(*) FROM work_order_targets WHERE work_order_id = $1::uuid)
             + (SELECT count(*) FROM work_order_labels WHERE work_order_id = $1::uuid)
             + (SELECT count(*) FROM work_order_annotations WHERE work_order_id = $1::uuid)""", id));
    assertEquals(1, wo.audits("workorder.deleted", id));
    var again = broker.admin().delete("/work-orders/" + id);
    assertEquals(404, again.statusCode());
    assertEquals("work_order_not_found", again.bodyAsJsonObject().getString("code"));

    String done = wo.create(agents(agent.id()), "custom").getString("id");
    wo.claimed(agent.pak(), done, agent.id());
    assertEquals(200, wo.complete(agent.pak(), done, WorkOrderTesting.success(null)).statusCode());
    assertEquals(404, broker.admin().delete("/work-orders/" + done).statusCode());
    assertEquals(200, broker.admin().get("/work-order-log/" + done).statusCode(), "the log entry stays");
  }

  @Test
  void theLogIsFilteredByTypeOutcomeAndAgentAndLimited() {
    var a = fx.agent(List.of());
    var b = fx.agent(List.of());
    String type = "log-" + UUID.randomUUID().toString().substring(0, 8);
    String aOk = finish(a, type, WorkOrderTesting.success("ok"));
    String aFail = finish(a, type, WorkOrderTesting.failure("bad", false));
    String bOk = finish(b, type, WorkOrderTesting.success("ok"));

    assertEquals(List.of(bOk, aFail, aOk), logIds("?work_type=" + type));
    assertEquals(List.of(bOk, aOk), logIds("?work_type=" + type + "&success=true"));
    assertEquals(List.of(aFail), logIds("?work_type=" + type + "&success=false"));
    assertEquals(List.of(aFail, aOk), logIds("?agent_id=" + a.id()));
    assertEquals(List.of(bOk, aFail), logIds("?work_type=" + type + "&limit=2"));
    assertEquals(List.of(), logIds("?work_type=" + type + "&limit=0"));

    JsonObject entry = broker.admin().get("/work-order-log/" + aFail).bodyAsJsonObject();
    assertEquals(false, entry.getBoolean("success"));
    assertEquals("bad", entry.getString("result_message"));
    assertEquals(a.id(), entry.getString("claimed_by"));
    assertEquals(WorkOrderTesting.YAML, entry.getString("yaml_content"));
    var missing = broker.admin().get("/work-order-log/" + UUID.randomUUID());
    assertEquals(404, missing.statusCode());
    assertEquals("work_order_log_entry_not_found", missing.bodyAsJsonObject().getString("code"));
  }

  @Test
  void managementAndTheLogAreForAdminsOnly() {
    var agent = fx.agent(List.of());
    var gen = fx.generator();
    String id = wo.create(agents(agent.id()), "custom").getString("id");
    for (String pak : List.of(agent.pak(), gen.pak())) {
      for (var r : List.of(broker.as(pak).get("/work-orders"), broker.as(pak).get("/work-orders/" + id),
          broker.as(pak).delete("/work-orders/" + id), broker.as(pak).get("/work-order-log"),
          broker.as(pak).get("/work-order-log/" + id),
          broker.as(pak).post("/work-orders", body("custom", agents(agent.id()))))) {
        assertEquals(403, r.statusCode(), r.bodyAsString());
        assertEquals("admin_required", r.bodyAsJsonObject().getString("code"));
      }
    }
    assertEquals(200, broker.admin().get("/work-orders/" + id).statusCode(), "nothing was deleted");
  }

  private static String finish(Fixtures.Agent agent, String type, JsonObject outcome) {
    String id = wo.create(agents(agent.id()), type).getString("id");
    wo.claimed(agent.pak(), id, agent.id());
    var r = wo.complete(agent.pak(), id, outcome);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(OffsetDateTime.parse(r.bodyAsJsonObject().getString("completed_at")).isAfter(OffsetDateTime.now().minusMinutes(5)));
    return id;
  }

  private static List<String> logIds(String query) {
    var r = broker.admin().get("/work-order-log" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return ids(r.bodyAsJsonArray());
  }
}
