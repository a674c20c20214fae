package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
 * PostgreSQL + broker + agent + a real kube-apiserver in one JVM: a stack reaches the cluster
 * with the ownership annotations, changes and deletions follow, unowned objects survive, and a
 * broker outage leaves the cluster alone until the broker is back.
 */
@ExtendWith(KubeApiServer.Extension.class)
class AgentEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestBroker broker;
  private AgentHarness agents;
  private Agent agent;
  private KubernetesClient kube;

  @AfterEach
  void tearDown() throws Exception {
    if (agents != null) {
      agents.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  private static String bundle(String ns, String greeting, boolean withDeployment) {
    String cm = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: %s
        data:
          greeting: %s
        """.formatted(ns, greeting);
    String deployment = """
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: %s
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: registry.example/web:1.0
        """.formatted(ns);
    return withDeployment ? cm + deployment : cm;
  }

  @Test
  void stackLifecycleReachesTheClusterAndSurvivesABrokerOutage(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    kube = apiServer.client();
    String ns = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();

    broker = TestBroker.start();
    Fixtures fx = new Fixtures(broker);
    Fixtures.Generator gen = fx.generator();
    String agentName = "edge-" + UUID.randomUUID().toString().substring(0, 6);
    var created = broker.admin().post("/agents", new JsonObject().put("name", agentName).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id())));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    Fixtures.Agent identity = new Fixtures.Agent(created.bodyAsJsonObject().getJsonObject("agent").getString("id"),
        created.bodyAsJsonObject().getString("initial_pak"));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "edge");
    fx.labelAgent(identity.id(), "edge");
    JsonObject first = fx.deploymentObject(gen, stack, bundle(ns, "hello", true));

    // an object someone else made, carrying the same stack annotation but no owner: never pruned
    kube.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("bystander")
        .addToAnnotations("k8s.brokkr.io/stack", stack).endMetadata().addToData("k", "v").build()).create();

    agents = new AgentHarness(apiServer);
    agent = agents.start(broker.broker.port(), identity, agentName, stateDir, 10);

    // 0. a new agent is INACTIVE: it heartbeats (with its view of the Kubernetes API) and applies nothing
    Eventually.holds(WAIT, "heartbeat with Kubernetes connectivity", () -> {
      JsonObject self = broker.admin().get("/agents/" + identity.id()).bodyAsJsonObject();
      return self.getString("last_heartbeat") != null && Boolean.TRUE.equals(self.getBoolean("k8s_reachable"))
          && self.getInteger("k8s_api_latency_ms") != null;
    });
    Thread.sleep(2_000);
    assertEquals(null, kube.configMaps().inNamespace(ns).withName("settings").get(), "an INACTIVE agent applies nothing");
    assertEquals(200, broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE")).statusCode());

    // 1. both objects appear, each with the five annotations
    Eventually.holds(WAIT, "ConfigMap and Deployment applied", () ->
        kube.configMaps().inNamespace(ns).withName("settings").get() != null
            && kube.apps().deployments().inNamespace(ns).withName("web").get() != null);
    ConfigMap cm = kube.configMaps().inNamespace(ns).withName("settings").get();
    Map<String, String> annotations = cm.getMetadata().getAnnotations();
    assertEquals(stack, annotations.get("k8s.brokkr.io/stack"));
    assertEquals(first.getString("yaml_checksum"), annotations.get("k8s.brokkr.io/deployment-checksum"));
    assertEquals(first.getString("id"), annotations.get("brokkr.io/deployment-object-id"));
    assertEquals(first.getString("yaml_checksum"), annotations.get("k8s.brokkr.io/last-config-applied"));
    assertEquals(identity.id(), annotations.get("brokkr.io/owner-id"));
    assertTrue(cm.getMetadata().getManagedFields().stream().anyMatch(f -> "brokkr-controller".equals(f.getManager())),
        "applied server-side by field manager brokkr-controller");
    assertEquals(identity.id(), kube.apps().deployments().inNamespace(ns).withName("web").get()
        .getMetadata().getAnnotations().get("brokkr.io/owner-id"));

    // 2. the SUCCESS event reaches the broker
    Eventually.holds(WAIT, "SUCCESS event for the first object", () -> hasEvent(identity, first.getString("id"), "SUCCESS"));

    // the probe server reports what the agent sees
    assertEquals(200, probe("/healthz"));
    assertEquals(200, probe("/readyz"));
    assertEquals(200, probe("/health"));
    String metrics = fetch("/metrics");
    assertTrue(metrics.contains("brokkr_agent_poll_requests_total{status=\"success\"}"), metrics);
    assertTrue(metrics.contains("brokkr_agent_heartbeat_sent_total"), metrics);
    JsonObject health = new JsonObject(fetch("/health"));
    assertEquals("healthy", health.getString("status"));
    assertEquals(true, health.getJsonObject("kubernetes").getBoolean("connected"));
    assertEquals(true, health.getJsonObject("broker").getBoolean("connected"));

    // 3. an unchanged target state costs no writes
    long writesBefore = agents.ops.writeCount();
    long callsBefore = agents.ops.callCount();
    Thread.sleep(3_500);
    assertEquals(writesBefore, agents.ops.writeCount(), "no Kubernetes writes while nothing changes");
    long probeCalls = agents.ops.callCount() - callsBefore;
    assertTrue(probeCalls <= 5, "only heartbeat probes reach the API server while idle, saw " + probeCalls);

    // 4. a change: ConfigMap updated, Deployment pruned
    JsonObject second = fx.deploymentObject(gen, stack, bundle(ns, "bonjour", false));
    Eventually.holds(WAIT, "ConfigMap updated and Deployment pruned", () ->
        "bonjour".equals(kube.configMaps().inNamespace(ns).withName("settings").get().getData().get("greeting"))
            && kube.apps().deployments().inNamespace(ns).withName("web").get() == null);
    Eventually.holds(WAIT, "SUCCESS event for the second object", () -> hasEvent(identity, second.getString("id"), "SUCCESS"));

    // 5. the broker goes away: the agent keeps running and the cluster stays as it is
    int port = broker.broker.port();
    var database = broker.database;
    broker.closeKeepingDatabase();
    broker = null;
    Eventually.holds(WAIT, "agent notices the outage", () -> !agent.runtime().brokerReachable());
    assertEquals(503, probe("/readyz"), "the outage shows in /readyz");
    assertEquals(200, probe("/healthz"), "the agent process stays alive");
    Thread.sleep(2_000);
    assertNotNull(kube.configMaps().inNamespace(ns).withName("settings").get(), "nothing is pruned during an outage");

    // 6. the broker returns (same database, same address): the agent catches up
    broker = TestBroker.start(database, Map.of("broker.port", String.valueOf(port)));
    Eventually.holds(WAIT, "agent reconnects", () -> agent.runtime().brokerReachable());
    Eventually.holds(WAIT, "ready again", () -> probe("/readyz") == 200);
    Fixtures fx2 = new Fixtures(broker);
    var gen2 = new Fixtures.Generator(gen.id(), gen.pak());
    JsonObject third = fx2.deploymentObject(gen2, stack, bundle(ns, "hallo", false));
    Eventually.holds(WAIT, "change made after the outage is applied", () ->
        "hallo".equals(kube.configMaps().inNamespace(ns).withName("settings").get().getData().get("greeting")));
    Eventually.holds(WAIT, "SUCCESS event for the third object", () -> hasEvent(identity, third.getString("id"), "SUCCESS"));

    // 7. the stack is deleted: its objects go, the bystander stays
    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + stack).statusCode());
    Eventually.holds(WAIT, "stack objects deleted", () -> kube.configMaps().inNamespace(ns).withName("settings").get() == null);
    assertNotNull(kube.configMaps().inNamespace(ns).withName("bystander").get(), "an unowned object is never deleted");
    Eventually.holds(WAIT, "deletion marker settled", () -> broker.as(identity.pak())
        .get("/agents/" + identity.id() + "/target-state?mode=full").bodyAsJsonArray().isEmpty());
  }

  private int probe(String path) {
    try {
      var conn = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + agent.healthPort() + path).openConnection();
      conn.setConnectTimeout(5_000);
      conn.setReadTimeout(10_000);
      return conn.getResponseCode();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String fetch(String path) {
    try (var in = new java.net.URL("http://127.0.0.1:" + agent.healthPort() + path).openStream()) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean hasEvent(Fixtures.Agent identity, String objectId, String status) {
    JsonArray events = broker.as(identity.pak()).get("/agents/" + identity.id() + "/events").bodyAsJsonArray();
    return events.stream().map(JsonObject.class::cast)
        .anyMatch(e -> objectId.equals(e.getString("deployment_object_id")) && status.equals(e.getString("status")));
  }

}
