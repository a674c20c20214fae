package org.brokkr.agent.workorders;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeWorkOrderBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.agent.testing.ShipwrightCrds;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.config.Settings;

/**
 * What the work-order tests share: a real API server (Shipwright's CRDs installed, a fresh
 * namespace), a broker answering the work-order contract, an ACTIVE agent identity, and the
 * parts of Shipwright's controller and the Job controller a test plays by writing statuses.
 */
final class WorkOrderTestbed implements AutoCloseable {
  static final String PAK = "brokkr_BRwotest1_Qm9ja2tyV29ya09yZGVyVGVzdFBha0tleTEyMw";
  static final Duration WAIT = Duration.ofSeconds(120);

  final String ns = "wo-" + UUID.randomUUID().toString().substring(0, 8);
  final UUID agentId = UUID.randomUUID();
  final AgentRuntime runtime = new AgentRuntime();
  final AgentMetrics metrics = new AgentMetrics();
  final Vertx vertx = TestVertx.create();
  final KubernetesClient kube;
  final Fabric8ClusterOps ops;
  final FakeWorkOrderBroker broker;
  private final BrokerClient brokerClient;
  WorkOrderVerticle verticle;

  WorkOrderTestbed(KubeApiServer apiServer) throws Exception {
    kube = apiServer.client();
    ShipwrightCrds.install(kube);
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), fastRetry());
    broker = FakeWorkOrderBroker.start(vertx, PAK);
    brokerClient = new BrokerClient(vertx, "http://127.0.0.1:" + broker.port(), PAK);
    runtime.agentId(agentId);
    runtime.status("ACTIVE");
  }

  static RetryPolicy fastRetry() {
    return new RetryPolicy(50, 2.0, 500, 3_000);
  }

  /** Polling every second, status checks every second. */
  static AgentConfig config() {
    Map<String, String> s = new HashMap<>(AgentConfig.DEFAULTS);
    s.put("agent.pak", PAK);
    s.put("agent.polling_interval", "1");
    s.put("agent.work_order_status_interval", "1");
    return AgentConfig.from(Settings.of(s));
  }

  void startAgent(ClusterOps cluster) throws Exception {
    verticle = new WorkOrderVerticle(config(), runtime, metrics, brokerClient, cluster, fastRetry());
    vertx.deployVerticle(verticle).await(30, TimeUnit.SECONDS);
  }

  /** The order's terminal record, once the agent reported a result the broker kept. */
  JsonObject awaitLog(String id) {
    Eventually.holds(WAIT, "work order " + id + " reported for good; received " + broker.describe(), () -> broker.logEntry(id) != null);
    return broker.logEntry(id);
  }

  /** The body of the last completion request for the order. */
  JsonObject lastComplete(String id) {
    return broker.received(id).stream().filter(r -> r.action().equals("complete")).reduce((a, b) -> b).orElseThrow().body();
  }

  static JsonObject complete(boolean success, String message, boolean retryable) {
    return new JsonObject().put("success", success).put("message", message).put("retryable", retryable);
  }

  // --- Shipwright's controller ---

  String buildYaml(String name) {
    return """
        apiVersion: shipwright.io/v1beta1
        kind: Build
        metadata:
          name: %s
          namespace: %s
        spec:
          source:
            type: Git
            git: {url: "https://github.com/shipwright-io/sample-go"}
            contextDir: docker-build
          strategy: {name: buildah, kind: ClusterBuildStrategy}
          output: {image: "registry.example/app:latest"}
        """.formatted(name, ns);
  }

  List<GenericKubernetesResource> buildRuns(String workOrderId) {
    return kube.genericKubernetesResources(ShipwrightCrds.BUILD_RUNS).inNamespace(ns)
        .withLabel("brokkr.io/work-order-id", workOrderId).list().getItems().stream()
        .sorted(Comparator.comparing(r -> r.getMetadata().getCreationTimestamp())).toList();
  }

  /** Waits for the {@code n}-th BuildRun of the order and returns it (fails at once if the order ended without it). */
  GenericKubernetesResource awaitBuildRun(String workOrderId, int n) {
    Eventually.holds(WAIT, n + " BuildRun(s) of " + workOrderId,
        () -> buildRuns(workOrderId).size() >= n || broker.logEntry(workOrderId) != null);
    List<GenericKubernetesResource> runs = buildRuns(workOrderId);
    assertTrue(runs.size() >= n, "the order ended with " + runs.size() + " BuildRun(s): " + broker.describe());
    return runs.get(n - 1);
  }

  /** Sets the run's Succeeded condition ({@code True}, {@code False}, {@code Unknown}) and other status fields. */
  void writeBuildRunStatus(GenericKubernetesResource run, String succeeded, String reason, Map<String, Object> extra) {
    Map<String, Object> status = new HashMap<>(extra);
    status.put("conditions", List.of(Map.of("type", "Succeeded", "status", succeeded, "reason", reason,
        "message", reason + " (written by the test)", "lastTransitionTime", Instant.now().toString())));
    var runs = kube.genericKubernetesResources(ShipwrightCrds.BUILD_RUNS).inNamespace(ns);
    GenericKubernetesResource fresh = runs.withName(run.getMetadata().getName()).get();
    fresh.setAdditionalProperty("status", status);
    runs.resource(fresh).updateStatus();
  }

  // --- the Job controller ---

  /** A ConfigMap and a Job named {@code name}. */
  String jobYaml(String name) {
    return """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: %1$s-settings, namespace: %2$s}
        data: {mode: migrate}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: main
                  image: registry.example/migrate:1
                  command: ["true"]
        """.formatted(name, ns);
  }

  void awaitJob(String name) {
    Eventually.holds(WAIT, "Job " + name + " applied", () -> kube.batch().v1().jobs().inNamespace(ns).withName(name).get() != null);
  }

  /** Writes the status the Job controller writes when the Job's pod succeeded, or failed past its backoff limit. */
  void finishJob(String name, boolean succeeded) {
    String now = Instant.now().toString();
    kube.batch().v1().jobs().inNamespace(ns).withName(name).editStatus(job -> {
      JobStatusBuilder status = new JobStatusBuilder().withStartTime(now);
      if (succeeded) {
        status.withCompletionTime(now).withSucceeded(1)
            .addNewCondition().withType("SuccessCriteriaMet").withStatus("True").withReason("CompletionsReached")
            .withMessage("Reached expected number of succeeded pods").withLastTransitionTime(now).endCondition()
            .addNewCondition().withType("Complete").withStatus("True").withReason("CompletionsReached")
            .withMessage("Reached expected number of succeeded pods").withLastTransitionTime(now).endCondition();
      } else {
        status.withFailed(1)
            .addNewCondition().withType("FailureTarget").withStatus("True").withReason("BackoffLimitExceeded")
            .withMessage("Job has reached the specified backoff limit").withLastTransitionTime(now).endCondition()
            .addNewCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
            .withMessage("Job has reached the specified backoff limit").withLastTransitionTime(now).endCondition();
      }
      job.setStatus(status.build());
      return job;
    });
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    ops.close();
    kube.close();
  }
}
