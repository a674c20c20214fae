package org.brokkr.broker.live;

import static org.brokkr.broker.live.TelemetryTest.k8sEvent;
import static org.brokkr.broker.live.TelemetryTest.logGap;
import static org.brokkr.broker.live.TelemetryTest.logLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.live.Subscriber.Via;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The read-only subscriber streams: who may follow a stack or the fleet, what arrives, and that a slow reader holds nobody up. */
class LiveStreamsTest {
  static TestBroker a;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    fx = new Fixtures(a);
  }

  @AfterAll
  static void stop() {
    a.close();
  }

  private static JsonObject frame(String type, JsonObject body) {
    return new JsonObject().put("type", type).put("body", body);
  }

  @Test
  void aStackSubscriberByHeaderReceivesTheStacksTelemetryAndNothingElse() {
    TelemetryTest.Given g = TelemetryTest.given(fx, a);
    TelemetryTest.Given other = TelemetryTest.given(fx, a);
    try (Subscriber sub = Subscriber.stack(a, g.stack(), g.gen().pak(), Via.HEADER);
        AgentSocket agent = AgentSocket.connect(a, g.agent().pak());
        AgentSocket otherAgent = AgentSocket.connect(a, other.agent().pak())) {
      // frames from the subscriber are ignored
      sub.socket.writeTextMessage("{\"type\":\"heartbeat\",\"body\":{}}");
      otherAgent.send("pod_log_line", logLine(other.agent().id(), other.stack(), "not this stack"));
      JsonObject event = k8sEvent(g.agent().id(), g.stack(), "Pulled");
      JsonObject line = logLine(g.agent().id(), g.stack(), "hello");
      JsonObject gap = logGap(g.agent().id(), g.stack());
      agent.send("k8s_event", event);
      agent.send("pod_log_line", line);
      agent.send("log_gap", gap);
      assertEquals(frame("k8s_event", event), sub.next());
      assertEquals(frame("pod_log_line", line.copy().put("ts", "2026-01-01T00:00:01.500Z")), sub.next());
      assertEquals(frame("log_gap", gap), sub.next());
      assertFalse(sub.socket.isClosed());
      assertTrue(a.admin().get("/admin/ws/connections").bodyAsJsonObject().getInteger("live_subscribers") >= 1);
    }
  }

  @Test
  void aSubscriberMayPresentItsPakAsASubprotocolAndIsAnsweredWithBrokkrV1() {
    TelemetryTest.Given g = TelemetryTest.given(fx, a);
    try (Subscriber sub = Subscriber.stack(a, g.stack(), a.adminPak, Via.SUBPROTOCOL);
        AgentSocket agent = AgentSocket.connect(a, g.agent().pak())) {
      assertEquals("brokkr.v1", sub.socket.subProtocol());
      agent.send("pod_log_line", logLine(g.agent().id(), g.stack(), "via subprotocol"));
      assertEquals("via subprotocol", sub.next().getJsonObject("body").getString("line"));
    }
  }

  @Test
  void onlyAdminOrTheOwningGeneratorMayFollowAStack() {
    TelemetryTest.Given g = TelemetryTest.given(fx, a);
    String uri = "/api/v1/stacks/" + g.stack() + "/live";
    assertEquals(401, Subscriber.refusal(a, uri, null, Via.HEADER));
    assertEquals(401, Subscriber.refusal(a, uri, Pak.mint(Pak.Format.DEFAULT).pak(), Via.HEADER));
    assertEquals(401, Subscriber.refusal(a, uri, Pak.mint(Pak.Format.DEFAULT).pak(), Via.SUBPROTOCOL));
    assertEquals(403, Subscriber.refusal(a, uri, fx.generator().pak(), Via.HEADER));
    assertEquals(403, Subscriber.refusal(a, uri, fx.generator().pak(), Via.SUBPROTOCOL));
    assertEquals(403, Subscriber.refusal(a, uri, g.agent().pak(), Via.HEADER));
    assertEquals(404, Subscriber.refusal(a, "/api/v1/stacks/" + UUID.randomUUID() + "/live", a.adminPak, Via.HEADER));
    assertEquals(400, Subscriber.refusal(a, "/api/v1/stacks/not-a-uuid/live", a.adminPak, Via.HEADER));
    var plain = a.admin().get("/stacks/" + g.stack() + "/live");
    assertEquals(400, plain.statusCode(), plain.bodyAsString());
    assertEquals("websocket_upgrade_required", plain.bodyAsJsonObject().getString("code"));
    String fleet = "/api/v1/fleet/live";
    assertEquals(401, Subscriber.refusal(a, fleet, null, Via.HEADER));
    assertEquals(403, Subscriber.refusal(a, fleet, g.gen().pak(), Via.HEADER));
    assertEquals(403, Subscriber.refusal(a, fleet, g.agent().pak(), Via.HEADER));
  }

  @Test
  void aSubscriberThatDoesNotReadStallsNeitherIngestionNorHeartbeatsNorOthersAndLearnsOfItsGap() {
    TelemetryTest.Given g = TelemetryTest.given(fx, a);
    String big = "x".repeat(16 * 1024);
    // the slow one's receive buffer is small, so what it does not read piles up at the broker soon
    try (Subscriber slow = Subscriber.slowReader(a, g.stack(), a.adminPak);
        Subscriber fast = Subscriber.stack(a, g.stack(), g.gen().pak(), Via.HEADER);
        AgentSocket agent = AgentSocket.connect(a, g.agent().pak())) {
      slow.socket.pause();
      int sent = 1500;
      for (int i = 0; i < sent; i++) {
        agent.send("pod_log_line", logLine(g.agent().id(), g.stack(), i + " " + big));
      }
      // the fast one keeps up: it sees the last line (a marker resent until it arrives)
      Eventually.value(() -> {
        agent.send("pod_log_line", logLine(g.agent().id(), g.stack(), "marker"));
        JsonObject f;
        while ((f = fast.frames.poll()) != null) {
          if ("marker".equals(f.getJsonObject("body").getString("line"))) {
            return true;
          }
        }
        return null;
      });
      // heartbeats are served, over REST and over the socket
      assertEquals(204, a.as(g.agent().pak()).post("/agents/" + g.agent().id() + "/heartbeat", null).statusCode());
      agent.send("heartbeat", new JsonObject().put("agent_id", g.agent().id()).put("sent_at", "2026-01-01T00:00:00Z")
          .put("k8s_reachable", false).put("k8s_api_latency_ms", null));
      Eventually.value(() -> a.admin().get("/agents/" + g.agent().id() + "/fleet-status").bodyAsJsonObject()
          .getJsonObject("record").getValue("k8s_reachable") == Boolean.FALSE ? true : null);
      // ingestion went on
      Eventually.value(() -> TelemetryTest.count(a, "agent_pod_logs", g.stack()) > sent ? true : null);
      // the slow one, once it reads, is told how much it missed
      slow.socket.resume();
      JsonObject gap = slow.first(f -> "log_gap".equals(f.getString("type")));
      assertEquals("buffer_full", gap.getJsonObject("body").getString("reason"));
      assertEquals(new UUID(0, 0).toString(), gap.getJsonObject("body").getString("agent_id"));
      assertEquals(g.stack(), gap.getJsonObject("body").getString("stack_id"));
      assertTrue(gap.getJsonObject("body").getLong("dropped_count") > 0);
      assertNotNull(gap.getJsonObject("body").getString("since_ts"));
    }
  }

  @Test
  void theFleetStreamIsPushedOnHeartbeatAndOnSocketConnect() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    try (Subscriber fleet = Subscriber.fleet(a, a.adminPak)) {
      assertEquals(204, a.as(agent.pak()).post("/agents/" + agent.id() + "/heartbeat", null).statusCode());
      JsonObject update = fleet.first(f -> agent.id().equals(f.getJsonObject("body").getString("agent_id")));
      assertEquals("fleet_update", update.getString("type"));
      assertNotNull(update.getJsonObject("body").getString("last_heartbeat"));
      assertEquals(false, update.getJsonObject("body").getBoolean("ws_connected"));
      try (AgentSocket s = AgentSocket.connect(a, agent.pak())) {
        JsonObject connected = fleet.first(f -> agent.id().equals(f.getJsonObject("body").getString("agent_id")));
        assertEquals(true, connected.getJsonObject("body").getBoolean("ws_connected"));
      }
      JsonObject gone = fleet.first(f -> agent.id().equals(f.getJsonObject("body").getString("agent_id")));
      assertEquals(false, gone.getJsonObject("body").getBoolean("ws_connected"));
    }
  }
}
