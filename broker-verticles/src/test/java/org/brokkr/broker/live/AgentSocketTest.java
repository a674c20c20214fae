package org.brokkr.broker.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent live channel on real brokers: who may open it, what its frames do, when it closes.
 * Two replicas share one database (and one admin) for the cross-replica cases.
 */
class AgentSocketTest {
  private static final String AT = "2026-01-01T00:00:00Z";
  static TestBroker a;
  static TestBroker b;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    fx = new Fixtures(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  /** An agent targeted at a stack with one deployment object. */
  private record Setup(Fixtures.Agent agent, String objectId) {}

  private static Setup setup() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    String object = fx.deploymentObject(gen, stack, Fixtures.configMap("cm-" + UUID.randomUUID())).getString("id");
    var r = a.admin().post("/agents/" + agent.id() + "/targets", new JsonObject().put("agent_id", agent.id()).put("stack_id", stack));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return new Setup(agent, object);
  }

  private static JsonObject heartbeat(String agentId) {
    return new JsonObject().put("agent_id", agentId).put("sent_at", AT).put("k8s_reachable", true).put("k8s_api_latency_ms", 12);
  }

  private static JsonObject event(String agentId, String objectId, String message) {
    return new JsonObject().put("id", new UUID(0, 0).toString()).put("created_at", AT).put("updated_at", AT)
        .put("deleted_at", null).put("agent_id", agentId).put("deployment_object_id", objectId)
        .put("event_type", "DEPLOY").put("status", "SUCCESS").put("message", message);
  }

  private static JsonObject fleetRecord(TestBroker broker, String agentId) {
    var r = broker.admin().get("/agents/" + agentId + "/fleet-status");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonObject("record");
  }

  private static JsonArray events(String agentId) {
    return a.admin().get("/agents/" + agentId + "/events").bodyAsJsonArray();
  }

  private static JsonObject connectionOf(TestBroker broker, String agentId) {
    var r = broker.admin().get("/admin/ws/connections");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(body.getJsonArray("connections").size(), body.getInteger("connected_agents"));
    assertEquals(0, body.getInteger("live_subscribers"));
    for (Object o : body.getJsonArray("connections")) {
      if (agentId.equals(((JsonObject) o).getString("agent_id"))) {
        return (JsonObject) o;
      }
    }
    return null;
  }

  @Test
  void onlyAnAgentPakOpensTheChannel() throws Exception {
    var agent = fx.agent(List.of());
    var gen = fx.generator();
    try (AgentSocket s = AgentSocket.connect(a, agent.pak())) {
      assertFalse(s.socket.isClosed());
    }
    assertEquals(403, AgentSocket.refusal(a, a.adminPak));
    assertEquals(403, AgentSocket.refusal(a, gen.pak()));
    assertEquals(401, AgentSocket.refusal(a, Pak.mint(Pak.Format.DEFAULT).pak()));
    assertEquals(401, AgentSocket.refusal(a, "not-a-pak"));
    assertEquals(401, AgentSocket.refusal(a, null));
    var plain = a.client.get("/internal/ws/agent").putHeader("Authorization", "Bearer " + agent.pak()).send()
        .await(60, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(400, plain.statusCode(), plain.bodyAsString());
    assertEquals("websocket_upgrade_required", plain.bodyAsJsonObject().getString("code"));
  }

  @Test
  void aHeartbeatFrameRecordsTheHeartbeatAndTheFleetSeesTheSocket() {
    var agent = fx.agent(List.of());
    assertNull(fleetRecord(a, agent.id()).getValue("last_heartbeat"));
    try (AgentSocket s = AgentSocket.connect(a, agent.pak())) {
      s.send("heartbeat", heartbeat(agent.id()));
      JsonObject record = Eventually.value(() -> {
        JsonObject r = fleetRecord(a, agent.id());
        return r.getValue("last_heartbeat") != null ? r : null;
      });
      assertEquals(true, record.getBoolean("k8s_reachable"));
      assertEquals(12, record.getInteger("k8s_api_latency_ms"));
      assertEquals(true, record.getBoolean("ws_connected"));
      assertNotNull(record.getString("connected_since"));
      assertEquals(record.getString("connected_since"), connectionOf(a, agent.id()).getString("connected_since"));
      assertEquals(1L, connectionOf(a, agent.id()).getLong("messages_in"));
    }
    JsonObject after = Eventually.value(() -> {
      JsonObject r = fleetRecord(a, agent.id());
      return r.getBoolean("ws_connected") ? null : r;
    });
    assertNull(after.getValue("connected_since"));
    assertNull(connectionOf(a, agent.id()));
  }

  @Test
  void framesAboutAnotherAgentAreRefusedAndStoreNothing() {
    Setup mine = setup();
    Setup other = setup();
    try (AgentSocket s = AgentSocket.connect(a, mine.agent().pak())) {
      s.send("agent_event", event(other.agent().id(), other.objectId(), "not mine to say"));
      s.send("heartbeat", heartbeat(other.agent().id()));
      s.send("agent_health", new JsonObject().put("id", new UUID(0, 0).toString()).put("agent_id", other.agent().id())
          .put("deployment_object_id", other.objectId()).put("status", "failing").put("summary", null)
          .put("checked_at", AT).put("created_at", AT).put("updated_at", AT));
      // frames are served in order of arrival: once this one is stored, the ones before were refused
      s.send("agent_event", event(mine.agent().id(), mine.objectId(), "applied"));
      JsonArray stored = Eventually.value(() -> events(mine.agent().id()).isEmpty() ? null : events(mine.agent().id()));
      assertEquals("applied", stored.getJsonObject(0).getString("message"));
      assertFalse(s.socket.isClosed());
    }
    assertTrue(events(other.agent().id()).isEmpty());
    JsonObject theirs = fleetRecord(a, other.agent().id());
    assertNull(theirs.getValue("last_heartbeat"));
    assertEquals(0, theirs.getInteger("health_failing"));
  }

  @Test
  void aHealthFrameIsStoredLikeTheRestReport() {
    Setup mine = setup();
    String summary = new JsonObject().put("pods_ready", 1).put("pods_total", 2).put("conditions", new JsonArray()).encode();
    try (AgentSocket s = AgentSocket.connect(a, mine.agent().pak())) {
      s.send("agent_health", new JsonObject().put("id", new UUID(0, 0).toString()).put("agent_id", mine.agent().id())
          .put("deployment_object_id", mine.objectId()).put("status", "degraded").put("summary", summary)
          .put("checked_at", AT).put("created_at", AT).put("updated_at", AT));
      JsonObject health = Eventually.value(() -> {
        JsonObject h = a.admin().get("/deployment-objects/" + mine.objectId() + "/health").bodyAsJsonObject();
        return h.getJsonArray("health_records").isEmpty() ? null : h;
      });
      assertEquals("degraded", health.getString("overall_status"));
      JsonObject record = health.getJsonArray("health_records").getJsonObject(0);
      assertEquals(mine.agent().id(), record.getString("agent_id"));
      assertEquals(2, new JsonObject(record.getString("summary")).getInteger("pods_total"));
    }
  }

  @Test
  void malformedAndUnknownFramesAreIgnored() {
    var agent = fx.agent(List.of());
    try (AgentSocket s = AgentSocket.connect(a, agent.pak())) {
      s.send("not json");
      s.send("[1,2]");
      s.send("{\"type\":\"mystery\",\"body\":{}}");
      s.send("{\"type\":\"heartbeat\",\"body\":{\"agent_id\":\"" + agent.id() + "\"}}");
      s.send("work_order", new JsonObject());
      s.sendBinary(Buffer.buffer("binary"));
      s.send("heartbeat", heartbeat(agent.id()));
      Eventually.value(() -> fleetRecord(a, agent.id()).getValue("last_heartbeat"));
      assertFalse(s.socket.isClosed());
    }
  }

  @Test
  void anOversizeMessageClosesTheSocketAndNothingElse() {
    var agent = fx.agent(List.of());
    AgentSocket s = AgentSocket.connect(a, agent.pak());
    try {
      s.send("{\"type\":\"heartbeat\",\"body\":{\"pad\":\"" + "x".repeat(AgentSocketEndpoint.MAX_MESSAGE_BYTES) + "\"}}");
      assertEquals((short) 1009, s.awaitClosed());
    } catch (IllegalStateException closedWhileWriting) {
      assertEquals((short) 1009, s.awaitClosed());
    } finally {
      s.close();
    }
    try (AgentSocket again = AgentSocket.connect(a, agent.pak())) {
      again.send("heartbeat", heartbeat(agent.id()));
      Eventually.value(() -> fleetRecord(a, agent.id()).getValue("last_heartbeat"));
    }
  }

  @Test
  void aSecondConnectionReplacesTheFirst() {
    var agent = fx.agent(List.of());
    try (AgentSocket first = AgentSocket.connect(a, agent.pak())) {
      String firstSince = Eventually.value(() -> {
        JsonObject c = connectionOf(a, agent.id());
        return c == null ? null : c.getString("connected_since");
      });
      try (AgentSocket second = AgentSocket.connect(a, agent.pak())) {
        assertEquals(AgentSockets.REPLACED, first.awaitClosed());
        second.send("heartbeat", heartbeat(agent.id()));
        Eventually.value(() -> fleetRecord(a, agent.id()).getValue("last_heartbeat"));
        assertFalse(second.socket.isClosed());
        JsonObject listed = connectionOf(a, agent.id());
        assertNotNull(listed);
        assertTrue(listed.getString("connected_since").compareTo(firstSince) >= 0);
        assertEquals(true, fleetRecord(a, agent.id()).getBoolean("ws_connected"));
      }
    }
  }

  @Test
  void deletingTheAgentClosesItsSocket() {
    var agent = fx.agent(List.of());
    try (AgentSocket s = AgentSocket.connect(a, agent.pak())) {
      Eventually.value(() -> connectionOf(a, agent.id()));
      assertEquals(204, a.admin().delete("/agents/" + agent.id()).statusCode());
      assertEquals(AgentSockets.REVOKED, s.awaitClosed());
      Eventually.value(() -> connectionOf(a, agent.id()) == null ? true : null);
      assertEquals(401, AgentSocket.refusal(a, agent.pak()));
    }
  }

  @Test
  void aRotationThroughOneReplicaClosesTheSocketHeldByTheOther() {
    var agent = fx.agent(List.of());
    try (AgentSocket s = AgentSocket.connect(b, agent.pak())) {
      // the socket held by b is listed, with its counters, by a
      s.send("heartbeat", heartbeat(agent.id()));
      Eventually.value(() -> fleetRecord(a, agent.id()).getValue("last_heartbeat"));
      JsonObject listed = Eventually.value(() -> connectionOf(a, agent.id()));
      assertNotNull(listed.getString("connected_since"));
      assertEquals(true, fleetRecord(a, agent.id()).getBoolean("ws_connected"));

      var r = a.as(agent.pak()).post("/agents/" + agent.id() + "/rotate-pak", null);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(AgentSockets.REVOKED, s.awaitClosed());
      Eventually.value(() -> connectionOf(a, agent.id()) == null ? true : null);
      try (AgentSocket fresh = AgentSocket.connect(b, r.bodyAsJsonObject().getString("pak"))) {
        assertFalse(fresh.socket.isClosed());
      }
    }
  }

  @Test
  void aStoppingReplicaClosesItsSocketsAndForgetsThem() {
    var agent = fx.agent(List.of());
    TestBroker c = TestBroker.start(a.database, Map.of("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    try (AgentSocket s = AgentSocket.connect(c, agent.pak())) {
      Eventually.value(() -> connectionOf(a, agent.id()));
      c.closeKeepingDatabase();
      s.awaitClosed();
      assertNull(connectionOf(a, agent.id()));
      assertEquals(false, fleetRecord(a, agent.id()).getBoolean("ws_connected"));
    }
  }

  @Test
  void onlyAdminListsTheConnections() {
    var agent = fx.agent(List.of());
    var gen = fx.generator();
    assertEquals(403, a.as(agent.pak()).get("/admin/ws/connections").statusCode());
    assertEquals(403, a.as(gen.pak()).get("/admin/ws/connections").statusCode());
    assertEquals(401, a.anonymous().get("/admin/ws/connections").statusCode());
  }
}
