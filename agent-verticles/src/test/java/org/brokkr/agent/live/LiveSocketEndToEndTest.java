package org.brokkr.agent.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.Agent;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeLiveBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's live socket against a real broker (REST and socket) and, for what the broker on
 * this branch does not do (pushes) or must not do (refuse upgrades while REST works), against a
 * stand-in socket server while REST still goes to the real broker.
 */
@ExtendWith(KubeApiServer.Extension.class)
class LiveSocketEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestBroker broker;
  private AgentHarness agents;
  private FakeLiveBroker live;

  @AfterEach
  void tearDown() throws Exception {
    if (agents != null) {
      agents.close();
    }
    if (live != null) {
      live.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private record Registered(Fixtures.Agent identity, String name, Fixtures.Generator generator) {}

  private Registered register(boolean active) {
    Fixtures fx = new Fixtures(broker);
    var gen = fx.generator();
    String name = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id()))).bodyAsJsonObject();
    var identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    if (active) {
      broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE"));
    }
    return new Registered(identity, name, gen);
  }

  private JsonObject connectionOf(String agentId) {
    JsonArray connections = broker.admin().get("/admin/ws/connections").bodyAsJsonObject().getJsonArray("connections");
    for (int i = 0; i < connections.size(); i++) {
      if (agentId.equals(connections.getJsonObject(i).getString("agent_id"))) {
        return connections.getJsonObject(i);
      }
    }
    return null;
  }

  private Object lastHeartbeat(String agentId) {
    return broker.admin().get("/agents/" + agentId).bodyAsJsonObject().getValue("last_heartbeat");
  }

  @Test
  void reachesUpHeartbeatsOverTheSocketAndComesBackAfterABrokerRestart(KubeApiServer apiServer, @TempDir Path stateDir)
      throws Exception {
    broker = TestBroker.start();
    Registered a = register(false);
    agents = new AgentHarness(apiServer);
    int port = broker.broker.port();
    Agent agent = agents.start(port, a.identity(), a.name(), stateDir, 5);

    Eventually.holds(WAIT, "the broker lists the agent's socket", () -> connectionOf(a.identity().id()) != null);
    assertEquals(LiveState.UP, agent.runtime().liveState());
    Eventually.holds(WAIT, "heartbeats arrive over the socket", () -> connectionOf(a.identity().id()).getLong("messages_in") >= 2);
    assertTrue(lastHeartbeat(a.identity().id()) != null, "a socket heartbeat is recorded like a REST one");

    var database = broker.database;
    broker.closeKeepingDatabase();
    broker = null;
    Eventually.holds(WAIT, "the socket is down with the broker", () -> agent.runtime().liveState() == LiveState.DOWN);

    broker = TestBroker.start(database, Map.of("broker.port", String.valueOf(port)));
    Eventually.holds(WAIT, "the agent dials again and is listed by the new broker",
        () -> connectionOf(a.identity().id()) != null && agent.runtime().liveState() == LiveState.UP);
  }

  @Test
  void forceRestNeverDialsAndHeartbeatsGoByRest(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    Registered a = register(false);
    agents = new AgentHarness(apiServer);
    Agent agent = agents.start(broker.broker.port(), a.identity(), a.name(), stateDir, 5,
        Map.of("agent.ws_force_rest", "true", "agent.ws_url", live.url()));

    Eventually.holds(WAIT, "heartbeats by REST", () -> heartbeats(agent) >= 3);
    assertTrue(lastHeartbeat(a.identity().id()) != null);
    assertEquals(LiveState.FORCE_REST_ONLY, agent.runtime().liveState());
    assertEquals(0, live.upgrades.get(), "never dialed");
    assertNull(connectionOf(a.identity().id()));
  }

  @Test
  void heartbeatsTakeTheSocketWhenUpAndRestWhenNot(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    Registered a = register(false);
    agents = new AgentHarness(apiServer);
    Agent agent = agents.start(broker.broker.port(), a.identity(), a.name(), stateDir, 5, Map.of("agent.ws_url", live.url()));

    Eventually.holds(WAIT, "heartbeat frames on the socket", () -> live.received("heartbeat").size() >= 2);
    assertEquals("Bearer " + a.identity().pak(), live.authorizations.get(0));
    JsonObject body = live.received("heartbeat").get(0).body();
    assertEquals(a.identity().id(), body.getString("agent_id"));
    assertEquals(Boolean.TRUE, body.getBoolean("k8s_reachable"));
    // (the very first heartbeat may have gone by REST, before the socket was up)
    Object byRest = lastHeartbeat(a.identity().id());
    int frames = live.received("heartbeat").size();
    Eventually.holds(WAIT, "two more heartbeat frames", () -> live.received("heartbeat").size() >= frames + 2);
    assertEquals(byRest, lastHeartbeat(a.identity().id()), "while the socket takes them, no heartbeat goes by REST");

    // the socket goes away and stays away: heartbeats go by REST
    live.close();
    live = null;
    Eventually.holds(WAIT, "socket down", () -> agent.runtime().liveState() == LiveState.DOWN);
    Eventually.holds(WAIT, "heartbeats by REST", () -> {
      Object now = lastHeartbeat(a.identity().id());
      return now != null && !now.equals(byRest);
    });
  }

  @Test
  void fiveRefusalsInARowStopDialingWhileRestGoesOn(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    live.refuseWith(401);
    Registered a = register(false);
    agents = new AgentHarness(apiServer);
    Agent agent = agents.start(broker.broker.port(), a.identity(), a.name(), stateDir, 5, Map.of("agent.ws_url", live.url()));

    Eventually.holds(WAIT, "AuthRejected", () -> agent.runtime().liveState() == LiveState.AUTH_REJECTED);
    assertEquals(5, live.upgrades.get());
    assertTrue(agent.metrics().render().contains("brokkr_agent_ws_state{state=\"AuthRejected\"} 1"));
    assertTrue(lastHeartbeat(a.identity().id()) != null, "REST heartbeats went on all along");
    long sent = heartbeats(agent);
    Eventually.holds(WAIT, "REST heartbeats still go on", () -> heartbeats(agent) >= sent + 3);
    assertEquals(5, live.upgrades.get(), "no more dialing");
  }

  private static long heartbeats(Agent agent) {
    for (String line : agent.metrics().render().split("\n")) {
      if (line.startsWith("brokkr_agent_heartbeat_sent_total ")) {
        return Long.parseLong(line.substring(line.indexOf(' ') + 1));
      }
    }
    return 0;
  }

  @Test
  void aStackChangedPushRunsADeploymentCheckAtOnce(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    Registered a = register(true);
    Fixtures fx = new Fixtures(broker);
    String stack = fx.stack(a.generator());
    fx.labelStack(a.generator(), stack, "pushed");
    fx.labelAgent(a.identity().id(), "pushed");
    agents = new AgentHarness(apiServer);
    Map<String, String> settings = new HashMap<>();
    settings.put("agent.ws_url", live.url());
    // no poll comes in time: only the push can make the check happen
    settings.put("agent.polling_interval", "3600");
    Agent agent = agents.start(broker.broker.port(), a.identity(), a.name(), stateDir, 5, settings);
    Eventually.holds(WAIT, "socket up", () -> live.connections() == 1 && agent.runtime().liveState() == LiveState.UP);
    Eventually.holds(WAIT, "first check done", () -> agent.metrics().render().contains("brokkr_agent_poll_requests_total{status=\"success\"} 1"));

    String cm = "pushed-" + UUID.randomUUID().toString().substring(0, 8);
    fx.deploymentObject(a.generator(), stack, Fixtures.configMap(cm));
    long pushedAt = System.nanoTime();
    live.push(new JsonObject().put("type", "stack_changed").put("body", new JsonObject()
        .put("id", stack).put("created_at", "2026-01-01T00:00:00Z").put("updated_at", "2026-01-01T00:00:00Z")
        .put("deleted_at", null).put("name", "demo").put("description", null).put("generator_id", a.generator().id()))
        .encode());
    try (KubernetesClient kube = apiServer.client()) {
      Eventually.holds(WAIT, "the pushed object is applied before any poll",
          () -> kube.configMaps().inNamespace("default").withName(cm).get() != null);
      System.out.printf("stack_changed push to object seen on the API server: %d ms%n", (System.nanoTime() - pushedAt) / 1_000_000);
    }
    Eventually.holds(WAIT, "its deployment event goes over the socket", () -> !live.received("agent_event").isEmpty());
    assertEquals("SUCCESS", live.received("agent_event").get(0).body().getString("status"));
    assertTrue(agent.metrics().render().contains("brokkr_agent_ws_hints_total{type=\"stack_changed\"} 1"));

    // a burst of pushes is coalesced: a hint that arrives while a check runs asks for one more check, and
    // more hints meanwhile add nothing; hints still arriving after that check ends may start one more
    // each time, so the count depends on how the frames spread over the checks, never one per push
    long before = successfulPolls(agent);
    String frame = new JsonObject().put("type", "target_changed").put("body", new JsonObject()
        .put("id", UUID.randomUUID().toString()).put("agent_id", a.identity().id()).put("stack_id", stack)).encode();
    for (int i = 0; i < 20; i++) {
      live.push(frame);
    }
    Eventually.holds(WAIT, "all 20 hints taken",
        () -> agent.metrics().render().contains("brokkr_agent_ws_hints_total{type=\"target_changed\"} 20"));
    Eventually.holds(WAIT, "the burst's check ran", () -> successfulPolls(agent) > before);
    Thread.sleep(2_000);
    long checks = successfulPolls(agent) - before;
    assertTrue(checks >= 1 && checks <= 5, "checks for a burst of 20 pushes: " + checks);
  }

  private static long successfulPolls(Agent agent) {
    String prefix = "brokkr_agent_poll_requests_total{status=\"success\"} ";
    for (String line : agent.metrics().render().split("\n")) {
      if (line.startsWith(prefix)) {
        return Long.parseLong(line.substring(prefix.length()));
      }
    }
    return 0;
  }

  @Test
  void aWorkOrderPushLooksForWorkAtOnce(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    Registered a = register(true);
    agents = new AgentHarness(apiServer);
    Agent agent = agents.start(broker.broker.port(), a.identity(), a.name(), stateDir, 5,
        Map.of("agent.ws_url", live.url(), "agent.polling_interval", "3600"));
    Eventually.holds(WAIT, "socket up", () -> live.connections() == 1 && agent.runtime().liveState() == LiveState.UP);

    String job = "pushed-" + UUID.randomUUID().toString().substring(0, 8);
    var order = broker.admin().post("/work-orders", new JsonObject().put("work_type", "custom").put("yaml_content", """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: %s, namespace: default}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: main, image: registry.example/job:1}]
        """.formatted(job)).put("targeting", new JsonObject().put("agent_ids", new JsonArray().add(a.identity().id()))));
    assertEquals(201, order.statusCode(), order.bodyAsString());
    JsonObject wo = order.bodyAsJsonObject();
    // the golden work_order frame's shape, about this order
    live.push(new JsonObject().put("type", "work_order").put("body", new JsonObject()
        .put("id", wo.getString("id")).put("created_at", "2026-01-01T00:00:00Z").put("updated_at", "2026-01-01T00:00:00Z")
        .put("work_type", "custom").put("yaml_content", "kind: Job\n").put("status", "PENDING").put("claimed_by", null)
        .put("claimed_at", null).put("claim_timeout_seconds", 3600).put("max_retries", 3).put("retry_count", 0)
        .put("backoff_seconds", 60).put("next_retry_after", null).put("last_error", null).put("last_error_at", null)).encode());
    try (KubernetesClient kube = apiServer.client()) {
      Eventually.holds(WAIT, "the pushed work order is claimed and carried out before any poll",
          () -> kube.batch().v1().jobs().inNamespace("default").withName(job).get() != null);
    }
    assertEquals(a.identity().id(), broker.admin().get("/work-orders/" + wo.getString("id")).bodyAsJsonObject().getString("claimed_by"));
  }
}
