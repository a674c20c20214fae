package org.brokkr.agent.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.Agent;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes from real brokers end to end: two replicas share one database, the agent holds its socket
 * (and makes its REST calls) on replica B, the changes are made through replica A, and the agent's
 * poll interval is an hour, so only the push can make the agent apply before the test gives up.
 */
@ExtendWith(KubeApiServer.Extension.class)
class LivePushEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestBroker a;
  private TestBroker b;
  private AgentHarness agents;

  @AfterEach
  void tearDown() throws Exception {
    if (agents != null) {
      agents.close();
    }
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void changesMadeOnOneReplicaReachTheAgentOnTheOtherAndAreAppliedAtOnce(KubeApiServer apiServer, @TempDir Path stateDir)
      throws Exception {
    a = TestBroker.start();
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    Fixtures fx = new Fixtures(a);
    var gen = fx.generator();
    String name = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    var created = a.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id()))).bodyAsJsonObject();
    var identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    a.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE"));
    fx.labelAgent(identity.id(), "pushed");
    String matched = fx.stack(gen);
    fx.labelStack(gen, matched, "pushed");
    String explicit = fx.stack(gen);
    String explicitCm = "explicit-" + UUID.randomUUID().toString().substring(0, 8);
    fx.deploymentObject(gen, explicit, Fixtures.configMap(explicitCm));

    agents = new AgentHarness(apiServer);
    Agent agent = agents.start(b.broker.port(), identity, name, stateDir, 5, Map.of("agent.polling_interval", "3600"));
    Eventually.holds(WAIT, "the agent's socket is up on replica B", () -> agent.runtime().liveState() == LiveState.UP);
    Eventually.holds(WAIT, "the first deployment check is done",
        () -> agent.metrics().render().contains("brokkr_agent_poll_requests_total{status=\"success\"} 1"));

    try (KubernetesClient kube = apiServer.client()) {
      // a new object in a stack the agent matches by label: stack_changed
      String matchedCm = "matched-" + UUID.randomUUID().toString().substring(0, 8);
      fx.deploymentObject(gen, matched, Fixtures.configMap(matchedCm));
      Eventually.holds(WAIT, "the label-matched stack's new object is applied without a poll",
          () -> kube.configMaps().inNamespace("default").withName(matchedCm).get() != null);

      // an explicit target added to a stack that already has an object: target_changed
      assertEquals(201, a.admin().post("/agents/" + identity.id() + "/targets",
          new JsonObject().put("agent_id", identity.id()).put("stack_id", explicit)).statusCode());
      Eventually.holds(WAIT, "the newly targeted stack is applied without a poll",
          () -> kube.configMaps().inNamespace("default").withName(explicitCm).get() != null);
    }
    String metrics = agent.metrics().render();
    assertEquals(1, hints(metrics, "stack_changed"), "one stack_changed hint for one new object:\n" + metrics);
    assertEquals(1, hints(metrics, "target_changed"), "one target_changed hint for one new target:\n" + metrics);
  }

  private static long hints(String metrics, String hint) {
    String prefix = "brokkr_agent_ws_hints_total{type=\"" + hint + "\"} ";
    for (String line : metrics.split("\n")) {
      if (line.startsWith(prefix)) {
        return Long.parseLong(line.substring(prefix.length()).trim());
      }
    }
    return 0;
  }
}
