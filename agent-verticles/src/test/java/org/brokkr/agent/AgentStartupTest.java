package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Startup and event delivery against a real broker: an API server that cannot be used stops
 * startup with the address tried and what to change; a generator that refuses the registration
 * does not; an event the broker refuses for good is dropped instead of blocking the queue.
 */
@ExtendWith(KubeApiServer.Extension.class)
class AgentStartupTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path stateDir;
  private TestBroker broker;
  private Fixtures fx;
  private Fixtures.Generator gen;
  private AgentHarness agents;
  private String name;
  private Fixtures.Agent identity;

  @BeforeEach
  void start(KubeApiServer apiServer) {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    gen = fx.generator();
    name = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id()))).bodyAsJsonObject();
    identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    agents = new AgentHarness(apiServer);
  }

  @AfterEach
  void tearDown() throws Exception {
    agents.close();
    broker.close();
  }

  @Test
  void anApiServerThatCannotBeUsedStopsStartupWithTheAddressTriedAndWhatToChange(KubeApiServer apiServer) throws Exception {
    String server = apiServer.config().getMasterUrl();
    // no certificate authority: the API server's certificate cannot be trusted
    Path kubeconfig = Files.writeString(stateDir.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s"}}]
        users: [{name: u, user: {token: not-a-token}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """.formatted(server));
    AgentConfig config = AgentHarness.config(broker.broker.port(), identity, name, stateDir.resolve("state"), 5, Map.of());
    Fabric8ClusterOps ops = Fabric8ClusterOps.connect(agents.vertx, Optional.of(kubeconfig.toString()), Optional.empty(),
        RetryPolicy.NONE, Map.of());
    try {
      Exception e = assertThrows(Exception.class, () -> Agent.start(agents.vertx, config, ops).await(120, TimeUnit.SECONDS));
      String message = e.getMessage();
      assertTrue(message.startsWith("Kubernetes API at " + server + " (from kubeconfig " + kubeconfig
          + ", named by BROKKR__AGENT__KUBECONFIG_PATH): TLS handshake failed ("), message);
      assertTrue(message.endsWith("; check that the certificate authority in " + kubeconfig + " is the one of that API server"),
          message);
      assertEquals(1, message.lines().count(), message);
    } finally {
      ops.close();
    }
  }

  @Test
  void aGeneratorThatRefusesTheRegistrationDoesNotStopStartup() throws Exception {
    String unknownGenerator = UUID.randomUUID().toString();
    Fixtures.Generator later = fx.generator();
    Agent agent = agents.start(broker.broker.port(), identity, name, stateDir, 5,
        Map.of("agent.generator_ids", unknownGenerator + "," + later.id()));
    assertEquals(identity.id(), agent.runtime().agentId().toString());
    JsonArray registered = broker.admin().get("/generators/" + later.id() + "/registered-agents").bodyAsJsonArray();
    assertTrue(registered.toString().contains(identity.id()), "the generator after the refusing one still gets the agent: " + registered);
  }

  @Test
  void anEventTheBrokerRefusesForGoodIsDroppedAndTheQueueMovesOn(KubeApiServer apiServer) throws Exception {
    // an undelivered result from an earlier run, about an object the broker does not know
    String unknownObject = UUID.randomUUID().toString();
    Files.writeString(stateDir.resolve("state.json"), new JsonObject().put("agent_id", identity.id())
        .put("pending_events", new JsonArray().add(new JsonObject().put("agent_id", identity.id())
            .put("deployment_object_id", unknownObject).put("event_type", "DEPLOY").put("status", "SUCCESS")))
        .encode());
    assertEquals(200, broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE")).statusCode());
    String cm = "startup-" + UUID.randomUUID().toString().substring(0, 8);
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, cm);
    fx.labelAgent(identity.id(), cm);
    JsonObject object = fx.deploymentObject(gen, stack, Fixtures.configMap(cm));

    agents.start(broker.broker.port(), identity, name, stateDir, 5);
    Eventually.holds(WAIT, "the result for the real object is delivered behind the refused one", () ->
        broker.as(identity.pak()).get("/agents/" + identity.id() + "/events").bodyAsJsonArray().stream()
            .map(JsonObject.class::cast).anyMatch(e -> object.getString("id").equals(e.getString("deployment_object_id"))));
    Eventually.holds(WAIT, "nothing is left queued", () -> pendingEvents().isEmpty());
    try (KubernetesClient kube = apiServer.client()) {
      kube.configMaps().inNamespace("default").withName(cm).delete();
    }
  }

  private JsonArray pendingEvents() {
    try {
      return new JsonObject(Files.readString(stateDir.resolve("state.json"))).getJsonArray("pending_events");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
