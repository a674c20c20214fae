package org.brokkr.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.reconcile.Reconciler;
import org.brokkr.agent.state.AppliedStack;
import org.brokkr.agent.state.StateStore;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.agent.testing.Workloads;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health timer against a real API server (pods, ReplicaSets and their statuses written by the
 * test, as the controllers and kubelet would) and a broker that records the health updates.
 */
@ExtendWith(KubeApiServer.Extension.class)
class HealthVerticleApiServerTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String PAK = "brokkr_BRhealth_" + "k".repeat(32);

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

  private AgentConfig config(int refreshEvery) {
    Map<String, String> s = new HashMap<>(AgentConfig.DEFAULTS);
    s.put("agent.pak", PAK);
    s.put("agent.broker_url", fake.url());
    s.put("agent.deployment_health_interval", "1");
    s.put("agent.deployment_health_refresh_every", String.valueOf(refreshEvery));
    s.put("agent.state_dir", dir.toString());
    return AgentConfig.from(Settings.of(s));
  }

  private HealthVerticle deploy(AgentConfig config, Fabric8ClusterOps cluster) throws Exception {
    HealthVerticle verticle = new HealthVerticle(config, runtime, broker, cluster, state);
    vertx.deployVerticle(verticle).await(10, TimeUnit.SECONDS);
    return verticle;
  }

  private final JsonArray target = new JsonArray();

  /** Adds an object to the target state and reconciles all of it (what is unchanged is left alone). */
  private void reconcile(String stackId, String objectId, String yaml) throws Exception {
    target.add(new JsonObject().put("id", objectId).put("stack_id", stackId).put("yaml_content", yaml)
        .put("yaml_checksum", Pak.sha256Hex(yaml)));
    var report = new Reconciler(vertx, ops, state, agentId.toString()).run(target).await(120, TimeUnit.SECONDS);
    assertEquals(1, report.applied(), state.pendingEvents().toString());
    state.save().await(10, TimeUnit.SECONDS);
  }

  /** The entries of every accepted health update, by deployment object id, in order. */
  private List<JsonObject> entriesFor(String objectId) {
    return fake.healthReports().stream()
        .flatMap(r -> r.getJsonArray("deployment_objects").stream().map(JsonObject.class::cast))
        .filter(e -> e.getString("id").equals(objectId))
        .toList();
  }

  private static JsonObject entry(JsonObject report, String objectId) {
    return report.getJsonArray("deployment_objects").stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("id").equals(objectId)).findFirst().orElse(null);
  }

  @Test
  void podsAreFoundThroughTheirOwnersAndOnlyChangesAreReported() throws Exception {
    String ns = "health-" + suffix;
    String webObject = UUID.randomUUID().toString();
    String soloObject = UUID.randomUUID().toString();
    reconcile("stack-web-" + suffix, webObject, """
        apiVersion: v1
        kind: Namespace
        metadata: {name: %1$s}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: %1$s}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: app, image: registry.example/app:1}]
        """.formatted(ns));
    // the next cycle applies only this one; the Deployment stays owned, so it stays watched
    reconcile("stack-solo-" + suffix, soloObject, """
        apiVersion: v1
        kind: Pod
        metadata: {name: solo, namespace: %1$s}
        spec:
          containers: [{name: app, image: registry.example/missing:1}]
        """.formatted(ns));
    Deployment web = kube.apps().deployments().inNamespace(ns).withName("web").get();
    ReplicaSet rs = workloads.replicaSet(web, "web-5d8f", "web");
    Pod web1 = workloads.pod(ns, "web-5d8f-a", rs, Map.of("app", "web"), "app");
    Pod web2 = workloads.pod(ns, "web-5d8f-b", rs, Map.of("app", "web"), "app");
    workloads.status(web1, "Running", Workloads.running("app"));
    workloads.status(web2, "Running", Workloads.running("app"));
    Pod solo = kube.pods().inNamespace(ns).withName("solo").get();
    workloads.status(solo, "Pending", Workloads.waiting("app", "ImagePullBackOff", "Back-off pulling image"));
    // a pod of someone else's deployment object, in the same namespace
    String foreignObject = UUID.randomUUID().toString();
    workloads.status(workloads.pod(ns, "stranger", null, Map.of("brokkr.io/deployment-object-id", foreignObject), "app"),
        "Running", Workloads.running("app"));

    HealthVerticle verticle = deploy(config(1000), ops);
    Eventually.holds(WAIT, "a first health report", () -> fake.healthReports().size() == 1);
    JsonObject first = fake.healthReports().get(0);
    assertEquals(2, first.getJsonArray("deployment_objects").size(), first.encodePrettily());
    JsonObject webEntry = entry(first, webObject);
    assertEquals("healthy", webEntry.getString("status"));
    assertEquals(new JsonObject().put("pods_ready", 2).put("pods_total", 2).put("conditions", new JsonArray())
        .put("resources", new JsonArray()), webEntry.getJsonObject("summary"));
    assertTrue(webEntry.getString("checked_at").endsWith("Z"));
    JsonObject soloEntry = entry(first, soloObject);
    assertEquals("degraded", soloEntry.getString("status"));
    assertEquals(new JsonObject().put("pods_ready", 0).put("pods_total", 1).put("conditions", new JsonArray().add("ImagePullBackOff"))
        .put("resources", new JsonArray().add(new JsonObject().put("kind", "Pod").put("name", "solo").put("namespace", ns)
            .put("ready", false).put("message", "Back-off pulling image"))), soloEntry.getJsonObject("summary"));
    assertTrue(entriesFor(foreignObject).isEmpty(), "nothing about objects this agent does not own");

    long seen = verticle.passes();
    Eventually.holds(WAIT, "three more health passes", () -> verticle.passes() >= seen + 3);
    assertEquals(1, fake.healthAttempts(), "nothing changed, so nothing was sent");

    workloads.status(web2, "Running", Workloads.waiting("app", "CrashLoopBackOff", "back-off 10s restarting failed container"));
    Eventually.holds(WAIT, "a report of the change", () -> fake.healthReports().size() == 2);
    JsonObject second = fake.healthReports().get(1);
    assertEquals(1, second.getJsonArray("deployment_objects").size(), "only the object that changed: " + second.encode());
    JsonObject changed = entry(second, webObject);
    assertEquals("degraded", changed.getString("status"));
    assertEquals(1, changed.getJsonObject("summary").getInteger("pods_ready"));
    assertEquals(2, changed.getJsonObject("summary").getInteger("pods_total"));
    assertEquals(new JsonArray().add("CrashLoopBackOff"), changed.getJsonObject("summary").getJsonArray("conditions"));
  }

  @Test
  void aReportTheBrokerDidNotTakeIsSentAgainAndEverythingIsRepeatedNowAndThen() throws Exception {
    String objectId = UUID.randomUUID().toString();
    state.stacks().put("stack-" + suffix, new AppliedStack(objectId, "sum", true,
        List.of(new ObjectRef("v1", "ConfigMap", "nowhere-" + suffix, "settings"))));
    state.save().await(10, TimeUnit.SECONDS);
    fake.answerHealthWith(503);
    deploy(config(3), ops);
    Eventually.holds(WAIT, "a refused attempt", () -> fake.healthAttempts() >= 2);
    assertTrue(fake.healthReports().isEmpty());
    fake.answerHealthWith(200);
    Eventually.holds(WAIT, "the report, once taken", () -> fake.healthReports().size() == 1);
    JsonObject e = entry(fake.healthReports().get(0), objectId);
    assertEquals("unknown", e.getString("status"), "an object without pods is unknown");
    assertEquals(0, e.getJsonObject("summary").getInteger("pods_total"));
    Eventually.holds(WAIT, "the periodic full report", () -> fake.healthReports().size() >= 2);
    assertEquals(e.getJsonObject("summary"), entry(fake.healthReports().get(1), objectId).getJsonObject("summary"));
  }

  @Test
  void nothingIsReportedWhileTheAgentIsInactive() throws Exception {
    String objectId = UUID.randomUUID().toString();
    state.stacks().put("stack-" + suffix, new AppliedStack(objectId, "sum", true,
        List.of(new ObjectRef("v1", "ConfigMap", "nowhere-" + suffix, "settings"))));
    state.save().await(10, TimeUnit.SECONDS);
    runtime.status("INACTIVE");
    HealthVerticle verticle = deploy(config(1000), ops);
    Eventually.holds(WAIT, "three passes", () -> verticle.passes() >= 3);
    assertEquals(0, fake.healthAttempts());
    runtime.status("ACTIVE");
    Eventually.holds(WAIT, "a report once active", () -> fake.healthReports().size() == 1);
  }

  @Test
  void podsThatCannotBeListedMakeEveryObjectUnknown() throws Exception {
    Path role = dir.resolve("no-pods.yaml");
    Files.writeString(role, """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: health-no-pods-%s}
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get]
        """.formatted(suffix));
    Path kubeconfig = apiServer.identity("health-no-pods-" + suffix, role);
    Fabric8ClusterOps blind = Fabric8ClusterOps.fromConfig(vertx, KubeApiServer.configOf(kubeconfig), Optional.empty(),
        new RetryPolicy(50, 2.0, 500, 3_000));
    try {
      String a = UUID.randomUUID().toString();
      String b = UUID.randomUUID().toString();
      state.stacks().put("stack-a-" + suffix, new AppliedStack(a, "sum", true, List.of(new ObjectRef("v1", "ConfigMap", "x", "a"))));
      state.stacks().put("stack-b-" + suffix, new AppliedStack(b, "sum", true, List.of(new ObjectRef("v1", "ConfigMap", "x", "b"))));
      state.save().await(10, TimeUnit.SECONDS);
      deploy(config(1000), blind);
      Eventually.holds(WAIT, "a report", () -> fake.healthReports().size() == 1);
      JsonObject report = fake.healthReports().get(0);
      assertEquals("unknown", entry(report, a).getString("status"));
      assertEquals("unknown", entry(report, b).getString("status"));
    } finally {
      blind.close();
    }
  }
}
