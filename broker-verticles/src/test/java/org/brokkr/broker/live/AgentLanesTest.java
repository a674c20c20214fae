package org.brokkr.broker.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.live.OutboundLanes.Lane;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbound lanes of a real socket: bounded, control first, and a full lane drops rather than waits. */
class AgentLanesTest {
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

  private static AgentConnection connectionOf(String agentId) {
    return Eventually.value(() -> broker.broker.sockets().of(UUID.fromString(agentId)).orElse(null));
  }

  /** Runs {@code burst} as one task on the socket's event loop, so nothing is written before it ends; its pushes' results. */
  private static List<Boolean> onSocketLoop(AgentConnection c, java.util.function.Consumer<List<Boolean>> burst) throws Exception {
    CompletableFuture<List<Boolean>> done = new CompletableFuture<>();
    c.context().runOnContext(v -> {
      List<Boolean> results = new ArrayList<>();
      burst.accept(results);
      done.complete(results);
    });
    return done.get(60, TimeUnit.SECONDS);
  }

  @Test
  void aFullControlLaneDropsInsteadOfBlocking() throws Exception {
    var agent = fx.agent(List.of());
    try (AgentSocket s = AgentSocket.connect(broker, agent.pak())) {
      AgentConnection c = connectionOf(agent.id());
      long droppedBefore = broker.broker.sockets().counters().dropped("control");
      List<Boolean> results = onSocketLoop(c, r -> {
        for (int i = 0; i < 200; i++) {
          r.add(c.push(Lane.CONTROL, "{\"n\":" + i + "}"));
        }
      });
      assertEquals(64, results.stream().filter(b -> b).count());
      assertEquals(136, broker.broker.sockets().counters().dropped("control") - droppedBefore);
      Eventually.value(() -> s.received.size() == 64 ? true : null);
      assertEquals("{\"n\":0}", s.received.get(0));
      assertEquals("{\"n\":63}", s.received.get(63));
      // the lane has room again once written
      assertTrue(c.push(Lane.CONTROL, "{\"n\":\"after\"}"));
      Eventually.value(() -> s.received.size() == 65 ? true : null);
      assertEquals(65, c.messagesOut.get());
    }
  }

  @Test
  void controlFramesOvertakeQueuedTelemetry() throws Exception {
    var agent = fx.agent(List.of());
    try (AgentSocket s = AgentSocket.connect(broker, agent.pak())) {
      AgentConnection c = connectionOf(agent.id());
      onSocketLoop(c, r -> {
        r.add(c.push(Lane.TELEMETRY, "t1"));
        r.add(c.push(Lane.TELEMETRY, "t2"));
        r.add(c.push(Lane.CONTROL, "c1"));
      });
      Eventually.value(() -> s.received.size() == 3 ? true : null);
      assertEquals(List.of("c1", "t1", "t2"), s.received);
    }
  }
}
