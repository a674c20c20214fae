package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
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
import org.brokkr.agent.testing.Workloads;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployment health and diagnostics from end to end, with the real broker and the real agent on a
 * real kube-apiserver (the test writes pod statuses in place of a kubelet): a crash-looping pod
 * of an applied object shows as degraded at the broker, and an admin's diagnostic request comes
 * back with that pod's status, collected in the object's own namespace.
 */
@ExtendWith(KubeApiServer.Extension.class)
class HealthAndDiagnosticsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  private TestBroker broker;
  private AgentHarness agents;
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

  @Test
  void aCrashLoopingPodIsDegradedAtTheBrokerAndADiagnosticReturnsItsStatus(KubeApiServer apiServer, @TempDir Path stateDir)
      throws Exception {
    kube = apiServer.client();
    String ns = "hd-" + UUID.randomUUID().toString().substring(0, 8);
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();

    broker = TestBroker.start();
    Fixtures fx = new Fixtures(broker);
    Fixtures.Generator gen = fx.generator();
    String name = "hd-" + UUID.randomUUID().toString().substring(0, 6);
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id())));
    Fixtures.Agent identity = new Fixtures.Agent(created.bodyAsJsonObject().getJsonObject("agent").getString("id"),
        created.bodyAsJsonObject().getString("initial_pak"));
    assertEquals(200, broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE")).statusCode());
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "hd");
    fx.labelAgent(identity.id(), "hd");
    JsonObject object = fx.deploymentObject(gen, stack, """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: %s}
        data: {k: v}
        """.formatted(ns));
    String objectId = object.getString("id");

    agents = new AgentHarness(apiServer);
    agents.start(broker.broker.port(), identity, name, stateDir, 10,
        Map.of("agent.deployment_health_interval", "1", "agent.diagnostics_interval", "1"));
    Eventually.holds(WAIT, "the object is applied", () -> kube.configMaps().inNamespace(ns).withName("settings").get() != null);

    // a pod of the object (attributed by its annotation), crash-looping as a kubelet would report it
    Workloads workloads = new Workloads(kube);
    Pod pod = workloads.pod(ns, "web-1", null, Map.of("app", "web"), "app");
    pod = kube.pods().inNamespace(ns).withName("web-1").edit(p -> {
      p.getMetadata().getAnnotations().put("brokkr.io/deployment-object-id", objectId);
      return p;
    });
    workloads.status(pod, "Running", Workloads.waiting("app", "CrashLoopBackOff", "back-off restarting failed container"));

    Eventually.holds(WAIT, "the broker has the object degraded", () -> {
      JsonObject health = broker.admin().get("/deployment-objects/" + objectId + "/health").bodyAsJsonObject();
      return "degraded".equals(health.getString("overall_status"));
    });
    JsonObject record = broker.admin().get("/deployment-objects/" + objectId + "/health").bodyAsJsonObject()
        .getJsonArray("health_records").getJsonObject(0);
    assertEquals(identity.id(), record.getString("agent_id"));
    assertTrue(String.valueOf(record.getValue("summary")).contains("CrashLoopBackOff"), record.encode());
    assertEquals("degraded", broker.admin().get("/stacks/" + stack + "/health").bodyAsJsonObject().getString("overall_status"));

    var requested = broker.admin().post("/deployment-objects/" + objectId + "/diagnostics",
        new JsonObject().put("agent_id", identity.id()));
    assertEquals(201, requested.statusCode(), requested.bodyAsString());
    String diagnostic = requested.bodyAsJsonObject().getString("id");
    Eventually.holds(WAIT, "the agent answered the diagnostic", () ->
        broker.admin().get("/diagnostics/" + diagnostic).bodyAsJsonObject().getValue("result") instanceof JsonObject);
    JsonObject answer = broker.admin().get("/diagnostics/" + diagnostic).bodyAsJsonObject();
    assertEquals("completed", answer.getJsonObject("request").getString("status"), answer.encode());
    JsonArray pods = new JsonArray(answer.getJsonObject("result").getString("pod_statuses"));
    assertEquals(1, pods.size(), pods.encode());
    assertEquals("web-1", pods.getJsonObject(0).getString("name"));
    assertEquals(ns, pods.getJsonObject(0).getString("namespace"), "collected in the object's own namespace");
    assertTrue(pods.encode().contains("CrashLoopBackOff"), pods.encode());
  }
}
