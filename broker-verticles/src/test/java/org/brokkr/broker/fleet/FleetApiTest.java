package org.brokkr.broker.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every FleetAgentRecord field against ground truth, on a small fleet built through the API
 * (work orders by SQL: their API lives elsewhere). Pending object counts are also checked
 * against each agent's own incremental target state.
 */
class FleetApiTest {
  static TestBroker broker;
  static Fixtures fx;
  static Fleet fleet;

  /** Three live agents (a1: label + annotation; a2: explicit targets; a3: label, two generators) and a deleted one. */
  record Fleet(Fixtures.Generator g, Fixtures.Generator h, Fixtures.Agent a1, Fixtures.Agent a2, Fixtures.Agent a3,
      Fixtures.Agent gone, List<String> a2Events) {}

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    fleet = build();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static Fleet build() {
    var g = fx.generator();
    var h = fx.generator();
    var a1 = fx.agent(List.of(g.id()));
    var a2 = fx.agent(List.of(g.id()));
    var a3 = fx.agent(List.of(g.id(), h.id()));
    var gone = fx.agent(List.of(g.id()));
    fx.labelAgent(a1.id(), "region:eu");
    fx.labelAgent(a3.id(), "region:eu");
    fx.labelAgent(gone.id(), "region:eu");
    created(broker.admin().post("/agents/" + a1.id() + "/annotations",
        new JsonObject().put("agent_id", a1.id()).put("key", "tier").put("value", "web")));

    String s1 = fx.stack(g);
    fx.labelStack(g, s1, "region:eu");
    String o1a = object(g, s1);
    String o1b = object(g, s1);
    String s2 = fx.stack(g);
    created(broker.as(g.pak()).post("/stacks/" + s2 + "/annotations",
        new JsonObject().put("stack_id", s2).put("key", "tier").put("value", "web")));
    String o2 = object(g, s2);
    String s3 = fx.stack(g);
    String o3 = object(g, s3);
    target(a2, s3);
    String s4 = fx.stack(h);
    fx.labelStack(h, s4, "region:eu");
    String o4 = object(h, s4);
    String s5 = fx.stack(g);
    object(g, s5);
    target(a2, s5);
    assertEquals(204, broker.admin().delete("/stacks/" + s5).statusCode(), "a2 is now owed s5's deletion marker");

    event(a1, o1a, "SUCCESS");
    event(a1, o1b, "SUCCESS");
    event(a1, o2, "FAILURE");
    event(a3, o4, "SUCCESS");
    List<String> a2Events = new ArrayList<>();
    for (int i = 0; i < 22; i++) {
      a2Events.add(0, event(a2, o3, "FAILURE"));
    }

    health(a1, o1b, "failing");
    health(a1, o2, "degraded");
    health(a3, o1b, "degraded");
    health(a3, o4, "degraded");
    health(a3, o1a, "healthy");

    var beat = broker.as(a1.pak()).post("/agents/" + a1.id() + "/heartbeat",
        new JsonObject().put("k8s_reachable", true).put("k8s_api_latency_ms", 42));
    assertEquals(204, beat.statusCode(), beat.bodyAsString());

    UUID wo1 = workOrder("PENDING", null);
    sql("INSERT INTO work_order_targets (work_order_id, agent_id) VALUES ($1, $2)", wo1, UUID.fromString(a1.id()));
    UUID wo2 = workOrder("PENDING", null);
    sql("INSERT INTO work_order_labels (work_order_id, label) VALUES ($1, 'region:eu')", wo2);
    UUID wo3 = workOrder("PENDING", null);
    sql("INSERT INTO work_order_labels (work_order_id, label) VALUES ($1, 'region:eu')", wo3);
    sql("INSERT INTO work_order_annotations (work_order_id, key, value) VALUES ($1, 'tier', 'web')", wo3);
    UUID retrying = workOrder("RETRY_PENDING", null);
    sql("INSERT INTO work_order_labels (work_order_id, label) VALUES ($1, 'region:eu')", retrying);
    workOrder("CLAIMED", UUID.fromString(a2.id()));
    workOrder("CLAIMED", UUID.fromString(a2.id()));

    assertEquals(204, broker.admin().delete("/agents/" + gone.id()).statusCode());
    return new Fleet(g, h, a1, a2, a3, gone, a2Events);
  }

  private static String object(Fixtures.Generator owner, String stack) {
    return fx.deploymentObject(owner, stack, Fixtures.configMap("cm-" + UUID.randomUUID())).getString("id");
  }

  private static void target(Fixtures.Agent agent, String stack) {
    created(broker.admin().post("/agents/" + agent.id() + "/targets", new JsonObject().put("agent_id", agent.id()).put("stack_id", stack)));
  }

  private static String event(Fixtures.Agent agent, String objectId, String status) {
    return created(broker.as(agent.pak()).post("/agents/" + agent.id() + "/events", new JsonObject().put("agent_id", agent.id())
        .put("deployment_object_id", objectId).put("event_type", "DEPLOY").put("status", status))).getString("id");
  }

  private static void health(Fixtures.Agent agent, String objectId, String status) {
    var r = broker.as(agent.pak()).send("PATCH", "/agents/" + agent.id() + "/health-status", new JsonObject().put("deployment_objects",
        new JsonArray().add(new JsonObject().put("id", objectId).put("status", status).put("checked_at", "2026-01-01T00:00:00Z"))).toBuffer(),
        "application/json");
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static UUID workOrder(String status, UUID claimedBy) {
    return (UUID) sql("INSERT INTO work_orders (work_type, yaml_content, status, claimed_by, claimed_at) VALUES ('custom', 'kind: Job', $1, $2, "
        + (claimedBy == null ? "NULL" : "now()") + ") RETURNING id", status, claimedBy).get(0);
  }

  private static List<Object> sql(String query, Object... args) {
    try {
      List<Object> out = new ArrayList<>();
      broker.broker.pool().preparedQuery(query).execute(Tuple.from(args)).await(30, TimeUnit.SECONDS).forEach(r -> out.add(r.getValue(0)));
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject created(HttpResponse<Buffer> r) {
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static Map<String, JsonObject> records(String query) {
    var r = broker.admin().get("/fleet" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> (JsonObject) o).collect(Collectors.toMap(o -> o.getString("agent_id"), o -> o));
  }

  private static int incrementalTargetState(Fixtures.Agent agent) {
    var r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/target-state");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().size();
  }

  private static String latestEventAt(Fixtures.Agent agent) {
    return broker.admin().get("/agents/" + agent.id() + "/events").bodyAsJsonArray().getJsonObject(0).getString("created_at");
  }

  @Test
  void everyFieldMatchesTheFleetsGroundTruth() {
    Map<String, JsonObject> all = records("");
    assertEquals(java.util.Set.of(fleet.a1().id(), fleet.a2().id(), fleet.a3().id()), all.keySet(), "live agents only");

    JsonObject a1 = all.get(fleet.a1().id());
    assertEquals(List.of("agent_id", "name", "cluster_name", "status", "ws_connected", "connected_since", "last_heartbeat",
        "heartbeat_age_seconds", "pending_object_count", "pending_work_orders", "claimed_work_orders", "last_event_at",
        "seconds_since_last_event", "health_failing", "health_degraded", "k8s_reachable", "k8s_api_latency_ms"),
        List.copyOf(a1.fieldNames()));
    JsonObject agent1 = broker.admin().get("/agents/" + fleet.a1().id()).bodyAsJsonObject();
    assertEquals(agent1.getString("name"), a1.getString("name"));
    assertEquals("cluster-1", a1.getString("cluster_name"));
    assertEquals("INACTIVE", a1.getString("status"));
    assertFalse(a1.getBoolean("ws_connected"));
    assertNull(a1.getValue("connected_since"));
    assertEquals(agent1.getString("last_heartbeat"), a1.getString("last_heartbeat"));
    assertTrue(a1.getLong("heartbeat_age_seconds") >= 0);
    assertEquals(true, a1.getBoolean("k8s_reachable"));
    assertEquals(42L, a1.getLong("k8s_api_latency_ms"));
    // s1's latest is applied, s2's apply failed (still pending); s4 belongs to a generator a1 is not registered with
    assertEquals(1L, a1.getLong("pending_object_count"));
    assertEquals(3L, a1.getLong("pending_work_orders"), "its target, a shared label, a label and annotation (once)");
    assertEquals(0L, a1.getLong("claimed_work_orders"));
    assertEquals(latestEventAt(fleet.a1()), a1.getString("last_event_at"));
    assertTrue(a1.getLong("seconds_since_last_event") >= 0);
    assertEquals(1L, a1.getLong("health_failing"));
    assertEquals(1L, a1.getLong("health_degraded"));

    JsonObject a2 = all.get(fleet.a2().id());
    assertEquals(2L, a2.getLong("pending_object_count"), "s3's object (only failures) and s5's owed deletion marker");
    assertEquals(0L, a2.getLong("pending_work_orders"));
    assertEquals(2L, a2.getLong("claimed_work_orders"));
    assertNull(a2.getValue("last_heartbeat"));
    assertNull(a2.getValue("heartbeat_age_seconds"));
    assertNull(a2.getValue("k8s_reachable"));
    assertNull(a2.getValue("k8s_api_latency_ms"));
    assertEquals(latestEventAt(fleet.a2()), a2.getString("last_event_at"));
    assertEquals(0L, a2.getLong("health_failing"));
    assertEquals(0L, a2.getLong("health_degraded"));

    JsonObject a3 = all.get(fleet.a3().id());
    assertEquals(1L, a3.getLong("pending_object_count"), "s1's latest (s4's is applied)");
    assertEquals(2L, a3.getLong("pending_work_orders"));
    assertEquals(0L, a3.getLong("health_failing"));
    assertEquals(2L, a3.getLong("health_degraded"));

    for (Fixtures.Agent agent : List.of(fleet.a1(), fleet.a2(), fleet.a3())) {
      assertEquals(incrementalTargetState(agent), all.get(agent.id()).getLong("pending_object_count").intValue(),
          "pending objects are what the agent's incremental target state serves");
    }
    Fixtures.Agent fresh = fx.agent(List.of(fleet.g().id()));
    JsonObject idle = records("").get(fresh.id());
    assertEquals(0L, idle.getLong("pending_object_count"));
    assertNull(idle.getValue("last_event_at"));
    assertNull(idle.getValue("seconds_since_last_event"));
  }

  @Test
  void pakIdNarrowsTheViewToAGeneratorsRegisteredAgents() {
    assertEquals(java.util.Set.of(fleet.a3().id()), records("?pak_id=" + fleet.h().id()).keySet());
    assertTrue(records("?pak_id=" + fleet.g().id()).keySet().containsAll(List.of(fleet.a1().id(), fleet.a2().id(), fleet.a3().id())));
    assertFalse(records("?pak_id=" + fleet.g().id()).containsKey(fleet.gone().id()));
    assertEquals(0, records("?pak_id=" + UUID.randomUUID()).size());
    var malformed = broker.admin().get("/fleet?pak_id=nope");
    assertEquals(400, malformed.statusCode(), malformed.bodyAsString());
    assertNotNull(malformed.bodyAsJsonObject().getString("code"));
  }

  @Test
  void fleetStatusIsTheRecordWithTheTwentyNewestEvents() {
    var r = broker.admin().get("/agents/" + fleet.a2().id() + "/fleet-status");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject record = r.bodyAsJsonObject().getJsonObject("record");
    JsonObject listed = records("").get(fleet.a2().id());
    assertEquals(withoutAges(listed), withoutAges(record));
    JsonArray recent = r.bodyAsJsonObject().getJsonArray("recent_events");
    assertEquals(fleet.a2Events().subList(0, 20), recent.stream().map(o -> ((JsonObject) o).getString("id")).toList());
    assertTrue(OffsetDateTime.parse(recent.getJsonObject(0).getString("created_at"))
        .isAfter(OffsetDateTime.parse(recent.getJsonObject(19).getString("created_at"))));

    var none = broker.admin().get("/agents/" + fleet.a3().id() + "/fleet-status");
    assertEquals(1, none.bodyAsJsonObject().getJsonArray("recent_events").size());
    var deleted = broker.admin().get("/agents/" + fleet.gone().id() + "/fleet-status");
    assertEquals(404, deleted.statusCode(), deleted.bodyAsString());
    assertEquals("agent_not_found", deleted.bodyAsJsonObject().getString("code"));
    assertEquals(404, broker.admin().get("/agents/" + UUID.randomUUID() + "/fleet-status").statusCode());
  }

  @Test
  void onlyAdminSeesTheFleet() {
    for (String pak : List.of(fleet.g().pak(), fleet.a1().pak())) {
      var list = broker.as(pak).get("/fleet");
      assertEquals(403, list.statusCode(), list.bodyAsString());
      assertEquals("admin_required", list.bodyAsJsonObject().getString("code"));
      var one = broker.as(pak).get("/agents/" + fleet.a1().id() + "/fleet-status");
      assertEquals(403, one.statusCode(), one.bodyAsString());
    }
  }

  private static JsonObject withoutAges(JsonObject record) {
    JsonObject copy = record.copy();
    copy.remove("heartbeat_age_seconds");
    copy.remove("seconds_since_last_event");
    return copy;
  }
}
