package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's memory on disk: restarted while the broker is away it keeps the cluster as it was,
 * and once the broker is back it still knows which objects it owns, so it removes a stack that
 * stopped being associated while it was down.
 */
@ExtendWith(KubeApiServer.Extension.class)
class AgentRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestBroker broker;
  private AgentHarness agents;

  @AfterEach
  void tearDown() throws Exception {
    if (agents != null) {
      agents.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void savedStateCarriesTheAgentThroughARestartDuringAnOutage(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    String cm = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    broker = TestBroker.start();
    Fixtures fx = new Fixtures(broker);
    var gen = fx.generator();
    String name = "agent-" + cm;
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id()))).bodyAsJsonObject();
    var identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE"));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "restart");
    fx.labelAgent(identity.id(), "restart");
    fx.deploymentObject(gen, stack, Fixtures.configMap(cm));

    agents = new AgentHarness(apiServer);
    try (KubernetesClient kube = apiServer.client()) {
      int port = broker.broker.port();
      agents.start(port, identity, name, stateDir, 2);
      Eventually.holds(WAIT, "object applied", () -> kube.configMaps().inNamespace("default").withName(cm).get() != null);
      Eventually.holds(WAIT, "state saved", () -> Files.exists(stateDir.resolve("state.json")));
      agents.stopAgent();

      // the broker goes away, the agent restarts: it runs from its saved state and touches nothing
      var database = broker.database;
      broker.closeKeepingDatabase();
      broker = null;
      Agent agent = agents.start(port, identity, name, stateDir, 2);
      assertTrue(!agent.runtime().brokerReachable());
      assertEquals(identity.id(), agent.runtime().agentId().toString());
      Thread.sleep(3_000);
      assertNotNull(kube.configMaps().inNamespace("default").withName(cm).get(), "nothing is pruned on missing data");

      // while it was away the stack stopped being associated (label removed, stack not deleted)
      broker = TestBroker.start(database, Map.of("broker.port", String.valueOf(port)));
      assertEquals(204, broker.admin().delete("/agents/" + identity.id() + "/labels/restart").statusCode());
      Eventually.holds(WAIT, "the agent removes what it owned of the stack", () ->
          kube.configMaps().inNamespace("default").withName(cm).get() == null);
    }
  }
}
