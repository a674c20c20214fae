package org.brokkr.broker.live;

import static org.brokkr.broker.live.TelemetryTest.logLine;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.brokkr.broker.live.Subscriber.Via;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two replicas on one database: a subscriber on one sees what agents send to the other. */
class LiveRelayTest {
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

  @Test
  void aStackSubscriberOnOneReplicaSeesFramesOfAnAgentOnAnotherLargeOnesWhole() {
    TelemetryTest.Given g = TelemetryTest.given(fx, a);
    // larger than a notification can hold, and with characters of several UTF-8 lengths
    String big = "é€😀x".repeat(4000);
    try (Subscriber sub = Subscriber.stack(b, g.stack(), g.gen().pak(), Via.HEADER);
        AgentSocket agent = AgentSocket.connect(a, g.agent().pak())) {
      agent.send("pod_log_line", logLine(g.agent().id(), g.stack(), "small"));
      agent.send("pod_log_line", logLine(g.agent().id(), g.stack(), big));
      agent.send("pod_log_line", logLine(g.agent().id(), g.stack(), "after"));
      assertEquals("small", sub.next().getJsonObject("body").getString("line"));
      assertEquals(big, sub.next().getJsonObject("body").getString("line"));
      assertEquals("after", sub.next().getJsonObject("body").getString("line"));
    }
  }

  @Test
  void aFleetSubscriberOnOneReplicaSeesHeartbeatsServedByAnother() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    try (Subscriber fleet = Subscriber.fleet(b, a.adminPak)) {
      assertEquals(204, a.as(agent.pak()).post("/agents/" + agent.id() + "/heartbeat", null).statusCode());
      JsonObject update = fleet.first(f -> agent.id().equals(f.getJsonObject("body").getString("agent_id")));
      assertEquals("fleet_update", update.getString("type"));
    }
  }
}
