package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.config.Settings;
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
  private Vertx vertx;
  private Fabric8ClusterOps ops;
  private Agent agent;

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.stop().await(30, TimeUnit.SECONDS);
    }
    if (ops != null) {
      ops.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    if (broker != null) {
      broker.close();
    }
  }

  private Agent startAgent(int brokerPort, Fixtures.Agent identity, String name, Path stateDir) throws Exception {
    Map<String, String> s = new HashMap<>(AgentConfig.DEFAULTS);
    s.put("agent.broker_url", "http://127.0.0.1:" + brokerPort);
    s.put("agent.pak", identity.pak());
    s.put("agent.agent_name", name);
    s.put("agent.cluster_name", "cluster-1");
    s.put("agent.polling_interval", "1");
    s.put("agent.max_backoff_seconds", "2");
    s.put("agent.health_port", "0");
    s.put("agent.health_host", "127.0.0.1");
    s.put("agent.max_retries", "2");
    s.put("agent.state_dir", stateDir.toString());
    return Agent.start(vertx, AgentConfig.from(Settings.of(s)), ops).await(60, TimeUnit.SECONDS);
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

    vertx = Vertx.vertx();
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), new RetryPolicy(100, 2.0, 1_000, 5_000));
    try (KubernetesClient kube = apiServer.client()) {
      int port = broker.broker.port();
      agent = startAgent(port, identity, name, stateDir);
      Eventually.holds(WAIT, "object applied", () -> kube.configMaps().inNamespace("default").withName(cm).get() != null);
      Eventually.holds(WAIT, "state saved", () -> Files.exists(stateDir.resolve("state.json")));
      agent.stop().await(30, TimeUnit.SECONDS);
      agent = null;

      // the broker goes away, the agent restarts: it runs from its saved state and touches nothing
      var database = broker.database;
      broker.closeKeepingDatabase();
      broker = null;
      agent = startAgent(port, identity, name, stateDir);
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
