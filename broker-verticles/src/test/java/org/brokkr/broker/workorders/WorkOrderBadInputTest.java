package org.brokkr.broker.workorders;

import static org.brokkr.broker.workorders.WorkOrderTesting.agents;
import static org.brokkr.broker.workorders.WorkOrderTesting.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed work-order requests are 400 with an ErrorResponse, never a 5xx, and change nothing.
 * Where the operation itself decides, the code is the reference's ({@code invalid_work_order});
 * shapes the contract already refuses may be answered by the validator's {@code invalid_request}.
 */
class WorkOrderBadInputTest {
  private static final List<String> EITHER = List.of("invalid_work_order", "invalid_request");
  private static final List<String> QUERY = List.of("invalid_query_parameter", "invalid_request");

  static TestBroker broker;
  static WorkOrderTesting wo;
  static Fixtures.Agent agent;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    wo = new WorkOrderTesting(broker);
    agent = new Fixtures(broker).agent(List.of());
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static void refused(HttpResponse<Buffer> r, List<String> codes, String what) {
    assertEquals(400, r.statusCode(), what + " -> " + r.bodyAsString());
    String type = r.getHeader("Content-Type");
    assertTrue(type != null && type.startsWith("application/json"), what + ": Content-Type " + type);
    String code = r.bodyAsJsonObject().getString("code");
    assertNotNull(r.bodyAsJsonObject().getString("message"), what);
    assertTrue(codes.contains(code), what + ": code " + code + ", expected one of " + codes);
  }

  private static JsonObject valid() {
    return body("custom", agents(agent.id()));
  }

  private static JsonObject without(String field) {
    JsonObject body = valid();
    body.remove(field);
    return body;
  }

  @Test
  void badCreateBodiesAreRefusedAndStoreNothing() {
    Map<String, List<String>> codes = new java.util.LinkedHashMap<>();
    Map<String, Object> bodies = new java.util.LinkedHashMap<>();
    bodies.put("blank work_type", valid().put("work_type", "   "));
    bodies.put("empty work_type", valid().put("work_type", ""));
    bodies.put("work_type of 51 characters", valid().put("work_type", "w".repeat(51)));
    bodies.put("numeric work_type", valid().put("work_type", 42));
    bodies.put("missing work_type", without("work_type"));
    bodies.put("null work_type", valid().put("work_type", (Object) null));
    bodies.put("blank yaml_content", valid().put("yaml_content", " \n\t"));
    bodies.put("empty yaml_content", valid().put("yaml_content", ""));
    bodies.put("missing yaml_content", without("yaml_content"));
    bodies.put("null yaml_content", valid().put("yaml_content", (Object) null));
    bodies.put("negative max_retries", valid().put("max_retries", -1));
    bodies.put("zero backoff_seconds", valid().put("backoff_seconds", 0));
    bodies.put("negative backoff_seconds", valid().put("backoff_seconds", -60));
    bodies.put("zero claim_timeout_seconds", valid().put("claim_timeout_seconds", 0));
    bodies.put("max_retries beyond 32 bits", valid().put("max_retries", 2_147_483_648L));
    bodies.put("fractional max_retries", valid().put("max_retries", 1.5));
    bodies.put("max_retries as text", valid().put("max_retries", "3"));
    bodies.put("targeting as text", valid().put("targeting", "everyone"));
    bodies.put("agent id not a UUID", valid().put("targeting", agents("agent-7")));
    bodies.put("agent ids not a list", valid().put("targeting", new JsonObject().put("agent_ids", agent.id())));
    bodies.put("legacy ids not UUIDs", body("custom", null).put("target_agent_ids", new JsonArray().add(7)));
    bodies.put("empty label", valid().put("targeting", WorkOrderTesting.labels("")));
    bodies.put("label with a space", valid().put("targeting", WorkOrderTesting.labels("a b")));
    bodies.put("label of 65 characters", valid().put("targeting", WorkOrderTesting.labels("l".repeat(65))));
    bodies.put("numeric label", valid().put("targeting", new JsonObject().put("labels", new JsonArray().add(5))));
    bodies.put("annotation key with a space", valid().put("targeting", WorkOrderTesting.annotation("a key", "v")));
    bodies.put("empty annotation value", valid().put("targeting", WorkOrderTesting.annotation("k", "")));
    bodies.put("numeric annotation value", valid().put("targeting", new JsonObject().put("annotations",
        new JsonObject().put("k", 5))));
    bodies.put("NUL in work_type", valid().put("work_type", "a\u0000b"));
    bodies.put("NUL in yaml_content", valid().put("yaml_content", "a: \u0000"));
    bodies.put("a list for a body", new JsonArray().add(valid()));
    codes.put("blank work_type", List.of("invalid_work_order"));
    codes.put("blank yaml_content", List.of("invalid_work_order"));
    codes.put("negative max_retries", List.of("invalid_work_order"));
    codes.put("zero backoff_seconds", List.of("invalid_work_order"));
    codes.put("negative backoff_seconds", List.of("invalid_work_order"));
    codes.put("zero claim_timeout_seconds", List.of("invalid_work_order"));
    codes.put("max_retries beyond 32 bits", List.of("invalid_work_order"));
    codes.put("label with a space", List.of("invalid_work_order"));
    codes.put("label of 65 characters", List.of("invalid_work_order"));
    codes.put("annotation key with a space", List.of("invalid_work_order"));
    codes.put("NUL in work_type", List.of("invalid_work_order", "invalid_value", "invalid_request"));
    codes.put("NUL in yaml_content", List.of("invalid_value", "invalid_request"));

    long before = wo.storedRows();
    bodies.forEach((what, b) -> refused(broker.admin().post("/work-orders", b), codes.getOrDefault(what, EITHER), what));
    refused(broker.admin().postRaw("/work-orders", "{\"work_type\": ", "application/json"), EITHER, "broken JSON");
    refused(broker.admin().postRaw("/work-orders", "", "application/json"), EITHER, "no body");
    assertEquals(before, wo.storedRows());
    assertEquals(201, broker.admin().post("/work-orders", valid()).statusCode(), "the valid body is accepted");
  }

  @Test
  void badClaimAndCompletionBodiesLeaveTheOrderAsItWas() {
    String pending = wo.create(valid()).getString("id");
    String claimed = wo.create(valid()).getString("id");
    wo.claimed(agent.pak(), claimed, agent.id());
    long before = wo.storedRows();

    for (Object b : List.of(new JsonObject(), new JsonObject().put("agent_id", "agent-7"),
        new JsonObject().put("agent_id", 7), new JsonObject().put("agent_id", (Object) null), new JsonArray())) {
      refused(broker.as(agent.pak()).post("/work-orders/" + pending + "/claim", b), EITHER, "claim " + b);
    }
    refused(broker.as(agent.pak()).post("/work-orders/not-a-uuid/claim", new JsonObject().put("agent_id", agent.id())),
        List.of("invalid_request", "invalid_path_parameter"), "claim with a bad path id");

    for (Object b : List.of(new JsonObject(), new JsonObject().put("success", "yes"),
        new JsonObject().put("success", (Object) null), new JsonObject().put("success", false).put("retryable", "no"),
        new JsonObject().put("success", true).put("retryable", (Object) null),
        new JsonObject().put("success", true).put("message", 5), new JsonArray().add(true))) {
      refused(broker.as(agent.pak()).post("/work-orders/" + claimed + "/complete", b), EITHER, "complete " + b);
    }
    var nul = broker.as(agent.pak()).post("/work-orders/" + claimed + "/complete",
        new JsonObject().put("success", false).put("message", "bad \u0000 byte").put("retryable", false));
    assertEquals(400, nul.statusCode(), nul.bodyAsString());

    assertEquals(before, wo.storedRows());
    assertEquals("PENDING", broker.admin().get("/work-orders/" + pending).bodyAsJsonObject().getString("status"));
    JsonObject held = broker.admin().get("/work-orders/" + claimed).bodyAsJsonObject();
    assertEquals("CLAIMED", held.getString("status"));
    assertEquals(agent.id(), held.getString("claimed_by"));
  }

  @Test
  void badQueryValuesAreRefused() {
    refused(broker.admin().get("/work-orders?status=DONE"), QUERY, "unknown status");
    refused(broker.admin().get("/work-orders?status=pending"), QUERY, "status in lower case");
    refused(broker.admin().get("/work-order-log?limit=-1"), QUERY, "negative limit");
    refused(broker.admin().get("/work-order-log?limit=ten"), QUERY, "limit not a number");
    refused(broker.admin().get("/work-order-log?success=maybe"), QUERY, "success not a boolean");
    refused(broker.admin().get("/work-order-log?agent_id=agent-7"), QUERY, "agent_id not a UUID");
    refused(broker.admin().get("/work-order-log/not-a-uuid"), List.of("invalid_request", "invalid_path_parameter"),
        "bad log id");
    refused(broker.as(agent.pak()).get("/agents/not-a-uuid/work-orders/pending"),
        List.of("invalid_request", "invalid_path_parameter"), "bad agent id");
  }
}
