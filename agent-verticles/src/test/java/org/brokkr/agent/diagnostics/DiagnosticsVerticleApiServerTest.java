package org.brokkr.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.reconcile.Reconciler;
import org.brokkr.agent.state.StateStore;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.agent.testing.Workloads;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnostics timer against a real API server (no kubelet: log reads fail there, which is
 * what a container whose log cannot be read looks like) and a broker serving diagnostic requests.
 */
@ExtendWith(KubeApiServer.Extension.class)
class DiagnosticsVerticleApiServerTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String PAK = "brokkr_BRdiagno_" + "d".repeat(32);

  private final UUID agentId = UUID.randomUUID();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final AgentRuntime runtime = new AgentRuntime();
  private Vertx vertx;
  private KubernetesClient kube;
  private Workloads workloads;
  private Fabric8ClusterOps ops;
  private StateStore state;
  private FakeBroker fake;
  private BrokerClient broker;
  private KubeApiServer apiServer;
  private Path dir;

  @BeforeEach
  void start(KubeApiServer apiServer, @TempDir Path dir) throws Exception {
    this.apiServer = apiServer;
    this.dir = dir;
    vertx = TestVertx.create();
    kube = apiServer.client();
    workloads = new Workloads(kube);
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), new RetryPolicy(50, 2.0, 500, 3_000));
    state = StateStore.open(vertx, dir.toString()).await(10, TimeUnit.SECONDS);
    state.bindTo(agentId.toString());
    fake = FakeBroker.start(vertx, PAK);
    broker = new BrokerClient(vertx, fake.url(), PAK);
    runtime.agentId(agentId);
    runtime.status("ACTIVE");
  }

  @AfterEach
  void stop() throws Exception {
    broker.close();
    fake.close();
    ops.close();
    kube.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private DiagnosticsVerticle deploy(Fabric8ClusterOps cluster) throws Exception {
    Map<String, String> s = new HashMap<>(AgentConfig.DEFAULTS);
    s.put("agent.pak", PAK);
    s.put("agent.broker_url", fake.url());
    s.put("agent.diagnostics_interval", "1");
    s.put("agent.state_dir", dir.toString());
    DiagnosticsVerticle verticle = new DiagnosticsVerticle(AgentConfig.from(Settings.of(s)), runtime, broker, cluster, state);
    vertx.deployVerticle(verticle).await(10, TimeUnit.SECONDS);
    return verticle;
  }

  private static List<JsonObject> array(String json) {
    return new JsonArray(json).stream().map(JsonObject.class::cast).toList();
  }

  @Test
  void podsEventsAndLogTailsOfTheObjectAreCollectedAndNothingElse() throws Exception {
    String ns = "diag-" + suffix;
    UUID objectId = UUID.randomUUID();
    UUID stackId = UUID.randomUUID();
    String yaml = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: %1$s}
        spec:
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers: [{name: app, image: registry.example/api:1}, {name: sidecar, image: registry.example/proxy:1}]
        """.formatted(ns);
    var report = new Reconciler(vertx, ops, state, agentId.toString()).run(new JsonArray().add(new JsonObject()
        .put("id", objectId.toString()).put("stack_id", stackId.toString()).put("yaml_content", yaml)
        .put("yaml_checksum", Pak.sha256Hex(yaml)))).await(120, TimeUnit.SECONDS);
    assertEquals(1, report.applied(), state.pendingEvents().toString());
    fake.deploymentObject(objectId, stackId, yaml);

    Deployment api = kube.apps().deployments().inNamespace(ns).withName("api").get();
    ReplicaSet rs = workloads.replicaSet(api, "api-7c9", "api");
    Pod pod = workloads.pod(ns, "api-7c9-x", rs, Map.of("app", "api"), "app", "sidecar");
    workloads.status(pod, "Running", Workloads.waiting("app", "CrashLoopBackOff", "back-off 40s"), Workloads.running("sidecar"));
    Pod other = workloads.pod(ns, "other", null, Map.of(), "app");
    HasMetadata unrelated = kube.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
        .withName("unrelated").withNamespace(ns).endMetadata().build()).create();
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    for (int i = 0; i < 53; i++) {
      workloads.event(ns, "pod-" + i, pod, "BackOff", t0.plusSeconds(i));
    }
    workloads.event(ns, "rs", rs, "FailedCreate", t0.plusSeconds(100));
    workloads.event(ns, "deploy", api, "ScalingReplicaSet", t0.plusSeconds(101));
    workloads.event(ns, "other", other, "Killing", t0.plusSeconds(200));
    workloads.event(ns, "cm", unrelated, "Noticed", t0.plusSeconds(201));

    UUID lost = fake.requestDiagnostics(agentId, objectId);
    fake.claimedElsewhere(lost);
    UUID request = fake.requestDiagnostics(agentId, objectId);
    try (LogCapture logs = new LogCapture()) {
      deploy(ops);
      Eventually.holds(WAIT, "a diagnostic result", () -> fake.result(request) != null);
      assertTrue(logs.entries().stream().noneMatch(e -> e.message().contains(PAK)), "the PAK is never logged");
      assertTrue(logs.entriesWithStackTraces().stream().noneMatch(e -> e.logger().startsWith("org.brokkr")),
          logs.entriesWithStackTraces().toString());
    }
    assertEquals("completed", fake.status(request));
    assertEquals(1, fake.claims(lost), "a request another claim won is skipped");
    assertNull(fake.result(lost));

    JsonObject result = fake.result(request);
    assertNull(result.getValue("error"), result.encodePrettily());
    List<JsonObject> pods = array(result.getString("pod_statuses"));
    assertEquals(1, pods.size(), "only the object's own pod: " + pods);
    JsonObject shaped = pods.get(0);
    assertEquals("api-7c9-x", shaped.getString("name"));
    assertEquals(ns, shaped.getString("namespace"));
    assertEquals("Running", shaped.getString("phase"));
    JsonObject app = shaped.getJsonArray("containers").getJsonObject(0);
    assertEquals("Waiting", app.getString("state"));
    assertEquals("CrashLoopBackOff", app.getString("state_reason"));
    assertEquals(3, app.getInteger("restart_count"));

    List<JsonObject> events = array(result.getString("events"));
    assertEquals(DiagnosticShapes.EVENTS_PER_NAMESPACE, events.size(), "at most 50 per namespace");
    assertEquals(List.of("api", "api-7c9", "api-7c9-x"),
        events.subList(0, 3).stream().map(e -> e.getString("involved_object")).toList(), "newest first");
    assertEquals(List.of("Deployment", "ReplicaSet", "Pod"),
        events.subList(0, 3).stream().map(e -> e.getString("involved_object_kind")).toList());
    assertEquals(t0.plusSeconds(52).toString(), events.get(2).getString("last_timestamp"));
    assertTrue(events.stream().noneMatch(e -> List.of("other", "unrelated").contains(e.getString("involved_object"))),
        "events about objects that are not the deployment object's are left out");
    assertEquals("Warning", events.get(0).getString("event_type"));
    assertEquals(2, events.get(0).getInteger("count"));

    JsonObject tails = new JsonObject(result.getString("log_tails"));
    assertEquals(List.of("api-7c9-x/app", "api-7c9-x/sidecar"), List.copyOf(tails.fieldNames()));
    // no kubelet behind this API server: each log read fails, and says why
    tails.forEach(e -> assertTrue(((String) e.getValue()).startsWith("Error: ") && ((String) e.getValue()).length() > 7,
        e.getKey() + " -> " + e.getValue()));
    assertTrue(Instant.parse(result.getString("collected_at")).isAfter(Instant.now().minusSeconds(600)));
  }

  @Test
  void podsAreLookedForWhereTheyAreWhenTheManifestsNameNoNamespace() throws Exception {
    String ns = "diag-elsewhere-" + suffix;
    UUID objectId = UUID.randomUUID();
    kube.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
        .endMetadata().build()).create();
    // what an agent applying a manifest without a namespace into its watched namespace leaves behind
    Deployment worker = kube.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder().withNewMetadata()
        .withName("worker").withNamespace(ns)
        .addToAnnotations("brokkr.io/deployment-object-id", objectId.toString())
        .addToAnnotations("brokkr.io/owner-id", agentId.toString()).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", "worker").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "worker").endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.example/worker:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    ReplicaSet rs = workloads.replicaSet(worker, "worker-1a2", "worker");
    Pod pod = workloads.pod(ns, "worker-1a2-q", rs, Map.of("app", "worker"), "app");
    workloads.status(pod, "Pending", Workloads.waiting("app", "ImagePullBackOff", "no such image"));
    workloads.event(ns, "pull", pod, "Failed", Instant.now());
    fake.deploymentObject(objectId, UUID.randomUUID(), """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: worker}
        spec:
          selector: {matchLabels: {app: worker}}
          template:
            metadata: {labels: {app: worker}}
            spec:
              containers: [{name: app, image: registry.example/worker:1}]
        """);
    UUID request = fake.requestDiagnostics(agentId, objectId);
    deploy(ops);
    Eventually.holds(WAIT, "a diagnostic result", () -> fake.result(request) != null);
    JsonObject result = fake.result(request);
    List<JsonObject> pods = array(result.getString("pod_statuses"));
    assertEquals(List.of(ns), pods.stream().map(p -> p.getString("namespace")).toList());
    List<JsonObject> events = array(result.getString("events"));
    assertEquals(List.of("worker-1a2-q"), events.stream().map(e -> e.getString("involved_object")).toList(),
        "events come from the pods' namespace, not from default");
  }

  @Test
  void anObjectThisAgentDeployedIsInspectedEvenWhenTheBrokerWillNotShowIt() throws Exception {
    // the reference broker answers 403 here for agents targeted by label; what was applied still tells where to look
    String ns = "diag-owned-" + suffix;
    UUID objectId = UUID.randomUUID();
    String yaml = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: %1$s}
        data: {k: v}
        """.formatted(ns);
    var report = new Reconciler(vertx, ops, state, agentId.toString()).run(new JsonArray().add(new JsonObject()
        .put("id", objectId.toString()).put("stack_id", UUID.randomUUID().toString()).put("yaml_content", yaml)
        .put("yaml_checksum", Pak.sha256Hex(yaml)))).await(120, TimeUnit.SECONDS);
    assertEquals(1, report.applied(), state.pendingEvents().toString());
    state.save().await(10, TimeUnit.SECONDS);
    HasMetadata settings = kube.configMaps().inNamespace(ns).withName("settings").get();
    workloads.event(ns, "cm", settings, "Updated", Instant.now());

    UUID request = fake.requestDiagnostics(agentId, objectId);
    deploy(ops);
    Eventually.holds(WAIT, "a diagnostic result", () -> fake.result(request) != null);
    JsonObject result = fake.result(request);
    assertNull(result.getValue("error"), result.encode());
    assertEquals("[]", result.getString("pod_statuses"));
    assertEquals(List.of("settings"), array(result.getString("events")).stream().map(e -> e.getString("involved_object")).toList());
  }

  @Test
  void aCollectionThatFailsIsSubmittedAsAFailureCarryingItsError() throws Exception {
    Path role = dir.resolve("no-pods.yaml");
    Files.writeString(role, """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: diag-no-pods-%s}
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get]
        """.formatted(suffix));
    Fabric8ClusterOps blind = Fabric8ClusterOps.fromConfig(vertx,
        KubeApiServer.configOf(apiServer.identity("diag-no-pods-" + suffix, role)), Optional.empty(),
        new RetryPolicy(50, 2.0, 500, 3_000));
    try {
      UUID objectId = UUID.randomUUID();
      fake.deploymentObject(objectId, UUID.randomUUID(), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n");
      UUID request = fake.requestDiagnostics(agentId, objectId);
      deploy(blind);
      Eventually.holds(WAIT, "a diagnostic result", () -> fake.result(request) != null);
      JsonObject result = fake.result(request);
      assertEquals("completed", fake.status(request));
      assertEquals("[]", result.getString("pod_statuses"));
      assertTrue(result.getString("error").contains("forbidden"), result.encode());
      assertEquals(result.getString("error"), array(result.getString("events")).get(0).getString("error"));
      assertNull(result.getValue("log_tails"));
    } finally {
      blind.close();
    }
  }

  @Test
  void anObjectNeitherGivenToNorDeployedByThisAgentIsNotInspected() throws Exception {
    UUID request = fake.requestDiagnostics(agentId, UUID.randomUUID());
    deploy(ops);
    Eventually.holds(WAIT, "a diagnostic result", () -> fake.result(request) != null);
    JsonObject result = fake.result(request);
    assertEquals("[]", result.getString("pod_statuses"));
    assertTrue(result.getString("error").contains("was not given to this agent"), result.encode());
  }

  @Test
  void aResultTheBrokerCouldNotTakeIsSentAgain() throws Exception {
    fake.answerResultsWith(503);
    UUID request = fake.requestDiagnostics(agentId, UUID.randomUUID());
    deploy(ops);
    Eventually.holds(WAIT, "two refused submissions", () -> fake.resultAttempts() >= 2);
    assertEquals("claimed", fake.status(request));
    fake.answerResultsWith(201);
    Eventually.holds(WAIT, "the result, once taken", () -> fake.result(request) != null);
    assertEquals(1, fake.claims(request), "claimed once, submitted until taken");
  }

  @Test
  void nothingIsClaimedWhileTheAgentIsInactive() throws Exception {
    runtime.status("INACTIVE");
    UUID request = fake.requestDiagnostics(agentId, UUID.randomUUID());
    DiagnosticsVerticle verticle = deploy(ops);
    Eventually.holds(WAIT, "three passes", () -> verticle.passes() >= 3);
    assertEquals(0, fake.claims(request));
    assertEquals("pending", fake.status(request));
  }
}
