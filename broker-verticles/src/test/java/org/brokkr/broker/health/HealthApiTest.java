package org.brokkr.broker.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Agents report deployment health in batches: stored whole or not at all, and only about what they were given. */
class HealthApiTest {
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** An agent targeted at a stack with two objects; a second stack of the same generator it was not given. */
  record World(Fixtures.Generator gen, Fixtures.Agent agent, String stackId, String older, String newer, String foreign) {}

  static World world() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    String older = fx.deploymentObject(gen, stack, Fixtures.configMap("a")).getString("id");
    String newer = fx.deploymentObject(gen, stack, Fixtures.configMap("b")).getString("id");
    String foreign = fx.deploymentObject(gen, fx.stack(gen), Fixtures.configMap("c")).getString("id");
    var t = broker.admin().post("/agents/" + agent.id() + "/targets", new JsonObject().put("agent_id", agent.id()).put("stack_id", stack));
    assertEquals(201, t.statusCode(), t.bodyAsString());
    return new World(gen, agent, stack, older, newer, foreign);
  }

  static JsonObject entry(String objectId, String status) {
    return new JsonObject().put("id", objectId).put("status", status).put("checked_at", "2026-01-01T12:00:00Z")
        .put("summary", new JsonObject().put("pods_ready", 1).put("pods_total", 2).put("conditions", new JsonArray().add("CrashLoopBackOff")));
  }

  static HttpResponse<Buffer> report(String pak, String agentId, JsonObject... entries) {
    return broker.as(pak).send("PATCH", "/agents/" + agentId + "/health-status",
        new JsonObject().put("deployment_objects", new JsonArray(List.of((Object[]) entries))).toBuffer(), "application/json");
  }

  /** One single-entry report by the agent itself, on any broker. */
  static HttpResponse<Buffer> reportOn(TestBroker on, Fixtures.Agent agent, String objectId, String status) {
    return on.as(agent.pak()).send("PATCH", "/agents/" + agent.id() + "/health-status",
        new JsonObject().put("deployment_objects", new JsonArray().add(entry(objectId, status))).toBuffer(), "application/json");
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static long rowsOf(String agentId) {
    try {
      return broker.broker.pool().preparedQuery("SELECT count(*) FROM deployment_health WHERE agent_id = $1")
          .execute(Tuple.of(UUID.fromString(agentId))).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject objectHealth(String objectId) {
    var r = broker.admin().get("/deployment-objects/" + objectId + "/health");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void anAgentReportsABatchAndALaterReportReplacesIt() {
    var w = world();
    var r = report(w.agent().pak(), w.agent().id(), entry(w.older(), "healthy"), entry(w.newer(), "degraded"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(0, r.body() == null ? 0 : r.body().length(), "200 with an empty body");

    JsonObject health = objectHealth(w.newer());
    assertEquals(w.newer(), health.getString("deployment_object_id"));
    assertEquals("degraded", health.getString("overall_status"));
    JsonArray records = health.getJsonArray("health_records");
    assertEquals(1, records.size());
    JsonObject record = records.getJsonObject(0);
    assertEquals(w.agent().id(), record.getString("agent_id"));
    assertEquals("degraded", record.getString("status"));
    assertEquals("{\"pods_ready\":1,\"pods_total\":2,\"conditions\":[\"CrashLoopBackOff\"]}", record.getString("summary"));
    assertEquals(List.of("id", "agent_id", "deployment_object_id", "status", "summary", "checked_at", "created_at", "updated_at"),
        List.copyOf(record.fieldNames()));

    JsonObject detailed = new JsonObject().put("id", w.newer()).put("status", "failing").put("checked_at", "2026-01-01T12:01:00Z")
        .put("summary", new JsonObject().put("pods_ready", 0).put("pods_total", 1).put("conditions", new JsonArray())
            .put("extra", "dropped")
            .put("resources", new JsonArray().add(new JsonObject().put("kind", "Deployment").put("name", "web")
                .put("namespace", "prod").put("ready", false).put("message", "0/1 available"))));
    assertEquals(200, report(w.agent().pak(), w.agent().id(), detailed).statusCode());
    JsonObject replaced = objectHealth(w.newer()).getJsonArray("health_records").getJsonObject(0);
    assertEquals(record.getString("id"), replaced.getString("id"), "one row per agent and object");
    assertEquals("failing", replaced.getString("status"));
    assertEquals("{\"pods_ready\":0,\"pods_total\":1,\"conditions\":[],\"resources\":[{\"kind\":\"Deployment\",\"name\":\"web\","
        + "\"namespace\":\"prod\",\"ready\":false,\"message\":\"0/1 available\"}]}", replaced.getString("summary"));
    assertNotEquals(record.getString("checked_at"), replaced.getString("checked_at"));
    assertEquals(2, rowsOf(w.agent().id()));

    assertEquals(200, report(w.agent().pak(), w.agent().id(), entry(w.older(), "unknown").putNull("summary")).statusCode());
    assertNull(objectHealth(w.older()).getJsonArray("health_records").getJsonObject(0).getValue("summary"));
    assertEquals(200, report(w.agent().pak(), w.agent().id()).statusCode(), "an empty batch is accepted");
  }

  @Test
  void oneBadEntryRefusesTheWholeBatch() {
    var w = world();
    JsonObject good = entry(w.older(), "healthy");
    List<JsonObject> bad = List.of(
        entry(w.newer(), "on-fire"),
        entry(w.newer(), "HEALTHY"),
        entry(w.newer(), "healthy").put("checked_at", "noon"),
        withoutField(entry(w.newer(), "healthy"), "checked_at"),
        entry("not-a-uuid", "healthy"),
        entry(w.newer(), "healthy").put("summary", "3/3"),
        entry(w.newer(), "healthy").put("summary", new JsonObject().put("pods_ready", -1).put("pods_total", 1).put("conditions", new JsonArray())),
        entry(w.newer(), "healthy").put("summary", new JsonObject().put("pods_ready", 1).put("pods_total", 1)),
        entry(w.newer(), "healthy").put("summary", new JsonObject().put("pods_ready", 1).put("pods_total", 1)
            .put("conditions", new JsonArray()).put("resources", new JsonArray().add(new JsonObject().put("kind", "Pod")))),
        entry(w.older(), "degraded"));
    for (JsonObject entry : bad) {
      assertError(report(w.agent().pak(), w.agent().id(), good, entry), 422, "invalid_health_record");
    }
    assertError(broker.as(w.agent().pak()).send("PATCH", "/agents/" + w.agent().id() + "/health-status",
        new JsonObject().put("deployment_objects", "all good").toBuffer(), "application/json"), 422, "invalid_health_record");
    assertError(broker.as(w.agent().pak()).send("PATCH", "/agents/" + w.agent().id() + "/health-status",
        new JsonObject().toBuffer(), "application/json"), 422, "invalid_health_record");
    var notJson = broker.as(w.agent().pak()).send("PATCH", "/agents/" + w.agent().id() + "/health-status",
        Buffer.buffer("{not json"), "application/json");
    assertEquals(400, notJson.statusCode(), notJson.bodyAsString());
    assertEquals(0, rowsOf(w.agent().id()), "nothing of a refused batch is stored");
  }

  private static JsonObject withoutField(JsonObject o, String field) {
    o.remove(field);
    return o;
  }

  @Test
  void aBatchNamingAnObjectNotGivenToTheAgentIsNotFoundAndStoresNothing() {
    var w = world();
    JsonObject good = entry(w.older(), "healthy");
    var foreign = report(w.agent().pak(), w.agent().id(), good, entry(w.foreign(), "healthy"));
    var missing = report(w.agent().pak(), w.agent().id(), good, entry(UUID.randomUUID().toString(), "healthy"));
    assertError(foreign, 404, "deployment_object_not_found");
    assertError(missing, 404, "deployment_object_not_found");
    assertEquals(foreign.bodyAsJsonObject().getString("message").replace(w.foreign(), "X"),
        missing.bodyAsJsonObject().getString("message").replaceAll("[0-9a-f-]{36}", "X"),
        "an existing object of someone else reads exactly like a missing one");
    assertEquals(0, rowsOf(w.agent().id()));
    assertEquals(0, objectHealth(w.foreign()).getJsonArray("health_records").size());
  }

  @Test
  void labelMatchedAgentsMayReportAndAdminMayReportForAnyObject() {
    var w = world();
    var matched = fx.agent(List.of(w.gen().id()));
    String labelled = fx.stack(w.gen());
    fx.labelStack(w.gen(), labelled, "tier:web");
    fx.labelAgent(matched.id(), "tier:web");
    String object = fx.deploymentObject(w.gen(), labelled, Fixtures.configMap("l")).getString("id");
    assertEquals(200, report(matched.pak(), matched.id(), entry(object, "healthy")).statusCode());
    assertError(report(matched.pak(), matched.id(), entry(w.older(), "healthy")), 404, "deployment_object_not_found");

    assertEquals(200, report(broker.adminPak, w.agent().id(), entry(w.foreign(), "failing")).statusCode(),
        "admin reports for any object that exists");
    assertError(report(broker.adminPak, w.agent().id(), entry(UUID.randomUUID().toString(), "failing")), 404, "deployment_object_not_found");
    assertError(report(broker.adminPak, UUID.randomUUID().toString(), entry(w.older(), "failing")), 404, "agent_not_found");
  }

  @Test
  void onlyTheAgentItselfOrAdminReportsAndOnlyAdminReads() {
    var w = world();
    var other = fx.agent(List.of(w.gen().id()));
    assertError(report(other.pak(), w.agent().id(), entry(w.older(), "healthy")), 403, "agent_pak_mismatch");
    assertError(report(w.gen().pak(), w.agent().id(), entry(w.older(), "healthy")), 403, "agent_pak_mismatch");
    assertEquals(0, rowsOf(w.agent().id()));
    assertError(broker.as(w.agent().pak()).get("/deployment-objects/" + w.older() + "/health"), 403, "admin_required");
    assertError(broker.as(w.gen().pak()).get("/stacks/" + w.stackId() + "/health"), 403, "admin_required");
  }

  @Test
  void objectHealthRollsUpEveryAgentsRecord() {
    var w = world();
    var second = fx.agent(List.of(w.gen().id()));
    assertEquals(201, broker.admin().post("/agents/" + second.id() + "/targets",
        new JsonObject().put("agent_id", second.id()).put("stack_id", w.stackId())).statusCode());
    assertEquals("unknown", objectHealth(w.newer()).getString("overall_status"), "no records: unknown");
    assertEquals(0, objectHealth(UUID.randomUUID().toString()).getJsonArray("health_records").size());

    assertEquals(200, report(w.agent().pak(), w.agent().id(), entry(w.newer(), "healthy").put("checked_at", "2026-01-01T10:00:00Z")).statusCode());
    assertEquals(200, report(second.pak(), second.id(), entry(w.newer(), "degraded").put("checked_at", "2026-01-01T11:00:00Z")).statusCode());
    JsonObject health = objectHealth(w.newer());
    assertEquals("degraded", health.getString("overall_status"));
    assertEquals(List.of(second.id(), w.agent().id()), health.getJsonArray("health_records").stream()
        .map(o -> ((JsonObject) o).getString("agent_id")).toList(), "newest check first");
    assertTrue(health.getJsonArray("health_records").size() == 2);
  }
}
