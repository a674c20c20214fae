package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.agent.testing.ShipwrightCrds;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work orders from end to end: admin queues orders at the real broker, the real agent picks them
 * up by itself, runs them against a real kube-apiserver (the test plays the Job controller and
 * Shipwright's controller by writing statuses), and the outcome lands in the broker's
 * work-order log.
 */
@ExtendWith(KubeApiServer.Extension.class)
class WorkOrdersEndToEndTest {
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

  private String order(String agentId, String workType, String yaml) {
    var r = broker.admin().post("/work-orders", new JsonObject().put("work_type", workType).put("yaml_content", yaml)
        .put("targeting", new JsonObject().put("agent_ids", new JsonArray().add(agentId))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private JsonObject logged(String id) {
    Eventually.holds(WAIT, "work order " + id + " in the log", () -> broker.admin().get("/work-order-log/" + id).statusCode() == 200);
    return broker.admin().get("/work-order-log/" + id).bodyAsJsonObject();
  }

  @Test
  void customAndBuildOrdersRunOnTheAgentAndLandInTheLog(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    kube = apiServer.client();
    ShipwrightCrds.install(kube);
    String ns = "woe2e-" + UUID.randomUUID().toString().substring(0, 8);
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();

    broker = TestBroker.start();
    String name = "worker-" + UUID.randomUUID().toString().substring(0, 6);
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    Fixtures.Agent identity = new Fixtures.Agent(created.bodyAsJsonObject().getJsonObject("agent").getString("id"),
        created.bodyAsJsonObject().getString("initial_pak"));
    assertEquals(200, broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE")).statusCode());
    agents = new AgentHarness(apiServer);
    agents.start(broker.broker.port(), identity, name, stateDir, 10);

    // a custom order with a Job: applied, waited for, reported
    String job = order(identity.id(), "custom", """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: %s}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers: [{name: main, image: registry.example/migrate:1, command: ["true"]}]
        """.formatted(ns));
    Eventually.holds(WAIT, "the Job is applied", () -> kube.batch().v1().jobs().inNamespace(ns).withName("migrate").get() != null);
    JsonObject claimed = broker.admin().get("/work-orders/" + job).bodyAsJsonObject();
    assertEquals("CLAIMED", claimed.getString("status"));
    assertEquals(identity.id(), claimed.getString("claimed_by"));
    String now = Instant.now().toString();
    kube.batch().v1().jobs().inNamespace(ns).withName("migrate").editStatus(j -> {
      j.setStatus(new JobStatusBuilder().withStartTime(now).withCompletionTime(now).withSucceeded(1)
          .addNewCondition().withType("SuccessCriteriaMet").withStatus("True").withReason("CompletionsReached")
          .withLastTransitionTime(now).endCondition()
          .addNewCondition().withType("Complete").withStatus("True").withReason("CompletionsReached")
          .withLastTransitionTime(now).endCondition().build());
      return j;
    });
    JsonObject jobLog = logged(job);
    assertTrue(jobLog.getBoolean("success"), jobLog.encode());
    assertEquals(identity.id(), jobLog.getString("claimed_by"));

    // a build order: Build applied, BuildRun created, the digest Shipwright reports is the result
    String build = order(identity.id(), "build", """
        apiVersion: shipwright.io/v1beta1
        kind: Build
        metadata: {name: app, namespace: %s}
        spec:
          source: {type: Git, git: {url: "https://github.com/shipwright-io/sample-go"}, contextDir: docker-build}
          strategy: {name: buildah, kind: ClusterBuildStrategy}
          output: {image: "registry.example/app:latest"}
        """.formatted(ns));
    var runs = kube.genericKubernetesResources(ShipwrightCrds.BUILD_RUNS).inNamespace(ns);
    Eventually.holds(WAIT, "a BuildRun for the order", () ->
        !runs.withLabel("brokkr.io/work-order-id", build).list().getItems().isEmpty());
    GenericKubernetesResource run = runs.withLabel("brokkr.io/work-order-id", build).list().getItems().get(0);
    assertNotNull(kube.genericKubernetesResources(ShipwrightCrds.BUILDS).inNamespace(ns).withName("app").get());
    String digest = "sha256:" + "ab".repeat(32);
    GenericKubernetesResource fresh = runs.withName(run.getMetadata().getName()).get();
    fresh.setAdditionalProperty("status", Map.of(
        "output", Map.of("digest", digest),
        "conditions", List.of(Map.of("type", "Succeeded", "status", "True", "reason", "Succeeded",
            "message", "done", "lastTransitionTime", Instant.now().toString()))));
    runs.resource(fresh).updateStatus();
    JsonObject buildLog = logged(build);
    assertTrue(buildLog.getBoolean("success"), buildLog.encode());
    assertTrue(String.valueOf(buildLog.getValue("result_message")).contains(digest), buildLog.encode());
  }
}
