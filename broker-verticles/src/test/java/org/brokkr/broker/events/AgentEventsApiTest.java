package org.brokkr.broker.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentEventsApiTest {
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

  /** An agent registered with a generator and targeted at its stack, which has one deployment object. */
  private record Setup(Fixtures.Generator gen, Fixtures.Agent agent, String stackId, String objectId) {}

  private static Setup setup() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    String object = fx.deploymentObject(gen, stack, Fixtures.configMap("cm-" + UUID.randomUUID())).getString("id");
    target(agent.id(), stack);
    return new Setup(gen, agent, stack, object);
  }

  private static void target(String agentId, String stackId) {
    var r = broker.admin().post("/agents/" + agentId + "/targets",
        new JsonObject().put("agent_id", agentId).put("stack_id", stackId));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static JsonObject event(String agentId, String objectId, String status) {
    return new JsonObject().put("agent_id", agentId).put("deployment_object_id", objectId)
        .put("event_type", "DEPLOY").put("status", status).put("message", "applied 1 resource");
  }

  private static HttpResponse<Buffer> report(String pak, String agentId, JsonObject body) {
    return broker.as(pak).post("/agents/" + agentId + "/events", body);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static List<String> eventIds(JsonArray events) {
    return events.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private static int eventCount(String agentId) {
    var r = broker.admin().get("/agents/" + agentId + "/events");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().size();
  }

  private static List<Row> outboxRowsFor(String agentEventId) throws Exception {
    var rows = broker.broker.pool()
        .preparedQuery("SELECT event_type, payload, agent_id, stack_id FROM event_outbox WHERE payload->'data'->>'agent_event_id' = $1")
        .execute(Tuple.of(agentEventId)).await(10, TimeUnit.SECONDS);
    List<Row> out = new ArrayList<>();
    rows.forEach(out::add);
    return out;
  }

  private static long outboxCountForAgent(String agentId) throws Exception {
    return broker.broker.pool()
        .preparedQuery("SELECT count(*) FROM event_outbox WHERE agent_id = $1 AND event_type LIKE 'deployment.%'")
        .execute(Tuple.of(UUID.fromString(agentId))).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  void agentReportsAnEventAndReadsItBack() {
    var s = setup();
    var r = report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject e = r.bodyAsJsonObject();
    UUID.fromString(e.getString("id"));
    assertEquals(s.agent().id(), e.getString("agent_id"));
    assertEquals(s.objectId(), e.getString("deployment_object_id"));
    assertEquals("DEPLOY", e.getString("event_type"));
    assertEquals("SUCCESS", e.getString("status"));
    assertEquals("applied 1 resource", e.getString("message"));
    assertNotNull(e.getString("created_at"));
    assertNotNull(e.getString("updated_at"));
    assertNull(e.getValue("deleted_at"));

    var one = broker.admin().get("/agent-events/" + e.getString("id"));
    assertEquals(200, one.statusCode(), one.bodyAsString());
    assertEquals(e, one.bodyAsJsonObject());

    var mine = broker.as(s.agent().pak()).get("/agents/" + s.agent().id() + "/events");
    assertEquals(200, mine.statusCode(), mine.bodyAsString());
    assertEquals(List.of(e.getString("id")), eventIds(mine.bodyAsJsonArray()));
  }

  @Test
  void adminMayReportForAnAgentButAnotherAgentMayNot() {
    var s = setup();
    var other = fx.agent(List.of(s.gen().id()));
    assertEquals(201, report(broker.adminPak, s.agent().id(), event(s.agent().id(), s.objectId(), "FAILURE")).statusCode());

    assertError(report(other.pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS")), 403, "agent_pak_mismatch");
    assertEquals(403, report(s.gen().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS")).statusCode());
    assertError(broker.as(other.pak()).get("/agents/" + s.agent().id() + "/events"), 403, "agent_pak_mismatch");
    assertEquals(1, eventCount(s.agent().id()), "refused reports stored nothing");
  }

  @Test
  void badReportsAreRejectedWithoutStoringAnything() throws Exception {
    var s = setup();
    var other = fx.agent(List.of(s.gen().id()));
    String agent = s.agent().id();

    assertError(report(s.agent().pak(), agent, event(other.id(), s.objectId(), "SUCCESS")), 400, "agent_id_mismatch");
    assertError(report(s.agent().pak(), agent, event(agent, UUID.randomUUID().toString(), "SUCCESS")),
        404, "deployment_object_not_found");
    assertError(report(broker.adminPak, agent, event(agent, UUID.randomUUID().toString(), "SUCCESS")),
        404, "deployment_object_not_found");
    var tooLong = report(s.agent().pak(), agent, event(agent, s.objectId(), "SUCCESSFULLY"));
    assertEquals(400, tooLong.statusCode(), "status is at most 10 characters: " + tooLong.bodyAsString());
    assertNotNull(tooLong.bodyAsJsonObject().getString("code"));
    assertEquals(0, eventCount(agent));
    assertEquals(0, eventCount(other.id()));
    assertEquals(0L, outboxCountForAgent(agent), "rejected reports emit no event");

    var wellFormed = report(s.agent().pak(), agent, event(agent, s.objectId(), "SUCCESS"));
    assertEquals(201, wellFormed.statusCode(), "control: a well-formed report is accepted");
    assertEquals(1, eventCount(agent));
  }

  @Test
  void eventsOfAnAgentAreNewestFirst() {
    var s = setup();
    List<String> created = new ArrayList<>();
    for (String status : List.of("FAILURE", "FAILURE", "SUCCESS")) {
      var r = report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), status));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      created.add(0, r.bodyAsJsonObject().getString("id"));
    }
    var r = broker.admin().get("/agents/" + s.agent().id() + "/events");
    assertEquals(created, eventIds(r.bodyAsJsonArray()));
  }

  @Test
  void allEventsIsAdminOnlyAndFiltersByGeneratorRegistration() {
    var a = setup();
    var b = setup();
    String eventA = report(a.agent().pak(), a.agent().id(), event(a.agent().id(), a.objectId(), "SUCCESS"))
        .bodyAsJsonObject().getString("id");
    String eventB = report(b.agent().pak(), b.agent().id(), event(b.agent().id(), b.objectId(), "SUCCESS"))
        .bodyAsJsonObject().getString("id");

    var all = broker.admin().get("/agent-events");
    assertEquals(200, all.statusCode(), all.bodyAsString());
    Set<String> allIds = Set.copyOf(eventIds(all.bodyAsJsonArray()));
    assertTrue(allIds.containsAll(Set.of(eventA, eventB)));

    var filtered = broker.admin().get("/agent-events?pak_id=" + a.gen().id());
    assertEquals(200, filtered.statusCode(), filtered.bodyAsString());
    assertEquals(List.of(eventA), eventIds(filtered.bodyAsJsonArray()));
    assertEquals(List.of(), eventIds(broker.admin().get("/agent-events?pak_id=" + UUID.randomUUID()).bodyAsJsonArray()));

    var malformed = broker.admin().get("/agent-events?pak_id=not-a-uuid");
    assertEquals(400, malformed.statusCode(), malformed.bodyAsString());
    assertNotNull(malformed.bodyAsJsonObject().getString("code"));

    assertError(broker.as(a.gen().pak()).get("/agent-events"), 403, "admin_required");
    assertError(broker.as(a.agent().pak()).get("/agent-events"), 403, "admin_required");
    assertError(broker.as(a.agent().pak()).get("/agent-events/" + eventA), 403, "admin_required");
    assertError(broker.admin().get("/agent-events/" + UUID.randomUUID()), 404, "agent_event_not_found");
  }

  @Test
  void successAndFailureEmitDeploymentEventsInTheOutbox() throws Exception {
    var s = setup();
    String ok = report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS"))
        .bodyAsJsonObject().getString("id");
    String failed = report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "FAILURE"))
        .bodyAsJsonObject().getString("id");

    List<Row> okRows = outboxRowsFor(ok);
    assertEquals(1, okRows.size());
    assertEquals("deployment.applied", okRows.get(0).getString("event_type"));
    JsonObject payload = (JsonObject) okRows.get(0).getValue("payload");
    assertEquals("deployment.applied", payload.getString("event_type"));
    JsonObject data = payload.getJsonObject("data");
    assertEquals(ok, data.getString("agent_event_id"));
    assertEquals(s.agent().id(), data.getString("agent_id"));
    assertEquals(s.objectId(), data.getString("deployment_object_id"));
    assertEquals(s.stackId(), data.getString("stack_id"));
    assertEquals("SUCCESS", data.getString("status"));
    assertEquals(s.agent().id(), okRows.get(0).getUUID("agent_id").toString());
    assertEquals(s.stackId(), okRows.get(0).getUUID("stack_id").toString());

    List<Row> failedRows = outboxRowsFor(failed);
    assertEquals(1, failedRows.size());
    assertEquals("deployment.failed", failedRows.get(0).getString("event_type"));
    JsonObject failedData = ((JsonObject) failedRows.get(0).getValue("payload")).getJsonObject("data");
    assertEquals("FAILURE", failedData.getString("status"));
    assertEquals(s.stackId(), failedData.getString("stack_id"));
  }

  @Test
  void anAgentReportsOnlyOnObjectsItWasGiven() throws Exception {
    var s = setup();
    var stranger = setup();
    // registered with the owner, but neither targeted nor label-matched
    var unassociated = fx.agent(List.of(s.gen().id()));
    // label-matched through its registration
    var matched = fx.agent(List.of(s.gen().id()));
    fx.labelStack(s.gen(), s.stackId(), "events:iso");
    fx.labelAgent(matched.id(), "events:iso");

    HttpResponse<Buffer> foreign = report(stranger.agent().pak(), stranger.agent().id(),
        event(stranger.agent().id(), s.objectId(), "SUCCESS"));
    assertError(foreign, 404, "deployment_object_not_found");
    HttpResponse<Buffer> missing = report(stranger.agent().pak(), stranger.agent().id(),
        event(stranger.agent().id(), UUID.randomUUID().toString(), "SUCCESS"));
    assertEquals(missing.bodyAsJsonObject(), foreign.bodyAsJsonObject(), "an existing object is not revealed");
    assertError(report(unassociated.pak(), unassociated.id(), event(unassociated.id(), s.objectId(), "FAILURE")),
        404, "deployment_object_not_found");
    assertEquals(0, eventCount(stranger.agent().id()));
    assertEquals(0, eventCount(unassociated.id()));
    assertEquals(0L, outboxCountForAgent(stranger.agent().id()), "a refused report emits nothing");
    assertEquals(0L, outboxCountForAgent(unassociated.id()));

    assertEquals(201, report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS")).statusCode(),
        "explicit target");
    assertEquals(201, report(matched.pak(), matched.id(), event(matched.id(), s.objectId(), "SUCCESS")).statusCode(),
        "label match through registration");
    assertEquals(201, report(broker.adminPak, stranger.agent().id(), event(stranger.agent().id(), s.objectId(), "SUCCESS"))
        .statusCode(), "admin may record any existing object");
  }

  @Test
  void aDeletionMarkerAndAnEarlierReportStayReportable() {
    var s = setup();
    assertEquals(201, report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS")).statusCode());
    assertEquals(204, broker.as(s.gen().pak()).delete("/stacks/" + s.stackId()).statusCode());

    JsonArray served = broker.as(s.agent().pak()).get("/agents/" + s.agent().id() + "/target-state").bodyAsJsonArray();
    assertEquals(1, served.size(), served.encode());
    String marker = served.getJsonObject(0).getString("id");
    assertTrue(served.getJsonObject(0).getBoolean("is_deletion_marker"));
    var other = fx.agent(List.of(s.gen().id()));
    assertError(report(other.pak(), other.id(), event(other.id(), marker, "SUCCESS")), 404, "deployment_object_not_found");

    assertEquals(201, report(s.agent().pak(), s.agent().id(), event(s.agent().id(), marker, "SUCCESS")).statusCode(),
        "the agent was served the marker");
    assertEquals(201, report(s.agent().pak(), s.agent().id(), event(s.agent().id(), marker, "SUCCESS")).statusCode(),
        "a repeated report of a settled marker is not refused");
    assertEquals(201, report(s.agent().pak(), s.agent().id(), event(s.agent().id(), s.objectId(), "SUCCESS")).statusCode(),
        "an object of a deleted stack the agent reported on before");
  }
}
