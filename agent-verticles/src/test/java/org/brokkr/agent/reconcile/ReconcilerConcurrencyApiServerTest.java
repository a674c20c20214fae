package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.state.StateStore;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.OwnershipAnnotations;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies overlapping in a window, against a real kube-apiserver: every apply call is recorded
 * when it starts and when it ends, so the order rules can be checked on what really happened.
 */
@ExtendWith(KubeApiServer.Extension.class)
class ReconcilerConcurrencyApiServerTest {
  private final String agentId = UUID.randomUUID().toString();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private Fabric8ClusterOps ops;
  private KubernetesClient kube;
  private StateStore state;
  /** Every apply call: started or ended, dry run or real, kind, name, stack. */
  private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

  record Call(boolean start, boolean dryRun, String kind, String name, String stack) {}

  /** Every delete call: true when it started, false when it ended. */
  private final List<Boolean> deletes = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start(KubeApiServer apiServer, @TempDir Path dir) throws Exception {
    vertx = TestVertx.create();
    kube = apiServer.client();
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), new RetryPolicy(50, 2.0, 500, 3_000));
    state = StateStore.open(vertx, dir.toString()).await(10, TimeUnit.SECONDS);
    state.bindTo(agentId);
  }

  @AfterEach
  void stop() throws Exception {
    ops.close();
    kube.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** {@link #ops}, recording its apply calls. */
  @SuppressWarnings("unchecked")
  private ClusterOps recorded() {
    return (ClusterOps) Proxy.newProxyInstance(ClusterOps.class.getClassLoader(), new Class<?>[] {ClusterOps.class},
        (proxy, method, args) -> {
          Object result;
          try {
            result = method.invoke(ops, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("apply")) {
            Map<String, Object> doc = (Map<String, Object>) args[0];
            Map<String, Object> meta = (Map<String, Object>) doc.get("metadata");
            String stack = ((Map<String, String>) meta.get("annotations")).get(OwnershipAnnotations.STACK);
            boolean dry = (Boolean) args[2];
            // recorded after the call is made: a call that ends has always started first in the list
            calls.add(new Call(true, dry, (String) doc.get("kind"), (String) meta.get("name"), stack));
            ((Future<Void>) result).onComplete(ar -> calls.add(new Call(false, dry, (String) doc.get("kind"), (String) meta.get("name"),
                stack)));
          } else if (method.getName().equals("delete")) {
            deletes.add(true);
            ((Future<Void>) result).onComplete(ar -> deletes.add(false));
          }
          return result;
        });
  }

  private Reconciler reconciler(int concurrency) {
    return new Reconciler(vertx, recorded(), state, agentId, concurrency);
  }

  private static JsonObject object(String stackId, String yaml) {
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("stack_id", stackId)
        .put("yaml_content", yaml).put("yaml_checksum", Pak.sha256Hex(yaml));
  }

  private static Reconciler.Report run(Reconciler reconciler, JsonObject... objects) throws Exception {
    return reconciler.run(new JsonArray(List.of((Object[]) objects))).await(180, TimeUnit.SECONDS);
  }

  private static String configMap(String name, String ns) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: " + ns + "}\ndata: {k: v}\n";
  }

  private static String bundle(List<String> docs) {
    return String.join("---\n", docs);
  }

  /** The most calls in flight at one moment. */
  private int mostInFlight() {
    int now = 0;
    int most = 0;
    synchronized (calls) {
      for (Call c : calls) {
        now += c.start() ? 1 : -1;
        most = Math.max(most, now);
      }
    }
    return most;
  }

  private int indexOf(boolean start, boolean dryRun, String kind, String name) {
    return calls.indexOf(new Call(start, dryRun, kind, name, calls.stream().filter(c -> c.name().equals(name) && c.kind().equals(kind))
        .findFirst().orElseThrow().stack()));
  }

  @Test
  void aNamespaceAndSixtyConfigMapsInItApplyInOrderWithManyCallsInFlight() throws Exception {
    String ns = "many-" + suffix;
    List<String> docs = new ArrayList<>();
    IntStream.range(0, 60).forEach(i -> docs.add(configMap("cm-" + i, ns)));
    // the Namespace comes last in the bundle: it must still be applied first
    docs.add("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    JsonObject obj = object("stack-many-" + suffix, bundle(docs));
    Reconciler reconciler = reconciler(16);

    Reconciler.Report report = run(reconciler, obj);
    assertEquals(1, report.applied(), state.pendingEvents().toString());
    assertEquals("SUCCESS", state.pendingEvents().get(0).getString("status"));
    assertEquals(60, kube.configMaps().inNamespace(ns).list().getItems().stream()
        .filter(cm -> cm.getMetadata().getName().startsWith("cm-")).count());
    assertEquals(agentId, kube.configMaps().inNamespace(ns).withName("cm-59").get().getMetadata().getAnnotations()
        .get(OwnershipAnnotations.OWNER_ID));

    int namespaceApplied = indexOf(false, false, "Namespace", ns);
    int firstConfigMapCall = IntStream.range(0, calls.size()).filter(i -> calls.get(i).kind().equals("ConfigMap")).min().orElseThrow();
    assertTrue(namespaceApplied < firstConfigMapCall, "the namespace is applied before any call about its objects");
    int lastDryRunEnd = IntStream.range(0, calls.size()).filter(i -> !calls.get(i).start() && calls.get(i).dryRun()).max().orElseThrow();
    int firstRealConfigMap = IntStream.range(0, calls.size())
        .filter(i -> calls.get(i).start() && !calls.get(i).dryRun() && calls.get(i).kind().equals("ConfigMap")).min().orElseThrow();
    assertTrue(lastDryRunEnd < firstRealConfigMap, "every dry run is done before the first real apply");
    int most = mostInFlight();
    assertTrue(most > 1 && most <= 16, "calls overlap within the window: " + most);

    long writes = ops.writeCount();
    long allCalls = ops.callCount();
    Reconciler.Report again = run(reconciler, obj);
    assertEquals(1, again.unchanged());
    assertEquals(writes, ops.writeCount(), "an unchanged target costs no writes");
    assertEquals(allCalls, ops.callCount(), "nor any call");
  }

  @Test
  void oneInvalidObjectAmongManyMeansNothingOfItsStackIsApplied() throws Exception {
    String ns = "invalid-" + suffix;
    List<String> docs = new ArrayList<>();
    docs.add("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    for (int i = 0; i < 40; i++) {
      docs.add(configMap("cm-" + i, ns));
      if (i == 10) {
        docs.add("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken, namespace: " + ns + "}\nspec:\n  replicas: \"many\"\n");
      }
      if (i == 30) {
        docs.add("apiVersion: v1\nkind: Service\nmetadata: {name: broken, namespace: " + ns + "}\nspec:\n  ports: [{port: 99999}]\n");
      }
    }
    Reconciler.Report report = run(reconciler(16), object("stack-invalid-" + suffix, bundle(docs)));

    assertEquals(1, report.failed());
    JsonObject event = state.pendingEvents().get(0);
    assertEquals("FAILURE", event.getString("status"));
    String message = event.getString("message");
    assertTrue(message.contains("replicas") && !message.contains("99999"), "the first invalid document in order is reported: " + message);
    assertFalse(calls.stream().anyMatch(c -> !c.dryRun() && !c.kind().equals("Namespace")), "nothing but the namespace was applied");
    assertNull(kube.configMaps().inNamespace(ns).withName("cm-0").get());
    Namespace after = kube.namespaces().withName(ns).get();
    assertTrue(after == null || after.getMetadata().getDeletionTimestamp() != null, "the namespace the attempt created is rolled back");
  }

  @Test
  void deploymentObjectsApplySideBySideButOneWithANamespaceRunsAlone() throws Exception {
    String shared = "shared-" + suffix;
    String own = "own-" + suffix;
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(shared).endMetadata().build()).create();
    List<JsonObject> objects = new ArrayList<>();
    for (int s = 0; s < 13; s++) {
      String stack = "stack-" + s + "-" + suffix;
      List<String> docs = new ArrayList<>();
      if (s == 6) {
        docs.add("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + own + "}\n");
        IntStream.range(0, 3).forEach(i -> docs.add(configMap("own-" + i, own)));
      } else {
        int stackNo = s;
        IntStream.range(0, 5).forEach(i -> docs.add(configMap("s" + stackNo + "-" + i, shared)));
      }
      objects.add(object(stack, bundle(docs)));
    }
    Reconciler.Report report = run(reconciler(16), objects.toArray(JsonObject[]::new));
    assertEquals(13, report.applied(), state.pendingEvents().toString());
    assertNotNull(kube.configMaps().inNamespace(own).withName("own-2").get());
    assertNotNull(kube.configMaps().inNamespace(shared).withName("s12-4").get());

    String alone = "stack-6-" + suffix;
    int first = IntStream.range(0, calls.size()).filter(i -> calls.get(i).stack().equals(alone)).min().orElseThrow();
    int last = IntStream.range(0, calls.size()).filter(i -> calls.get(i).stack().equals(alone)).max().orElseThrow();
    assertTrue(calls.subList(first, last + 1).stream().allMatch(c -> c.stack().equals(alone)),
        "nothing else runs while the deployment object with a namespace does");
    Set<String> before = calls.subList(0, first).stream().map(Call::stack).collect(Collectors.toSet());
    Set<String> after = calls.subList(last + 1, calls.size()).stream().map(Call::stack).collect(Collectors.toSet());
    assertEquals(IntStream.range(0, 6).mapToObj(s -> "stack-" + s + "-" + suffix).collect(Collectors.toSet()), before,
        "the ones before it are done before it starts");
    assertEquals(IntStream.range(7, 13).mapToObj(s -> "stack-" + s + "-" + suffix).collect(Collectors.toSet()), after,
        "the ones after it start after it is done");
    assertTrue(mostStacksInFlight() > 1, "deployment objects of independent objects overlap");
  }

  @Test
  void aWindowOfOneIsOneCallAtATime() throws Exception {
    String ns = "one-" + suffix;
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    Reconciler.Report report = run(reconciler(1), object("stack-a-" + suffix, bundle(List.of(configMap("a1", ns), configMap("a2", ns)))),
        object("stack-b-" + suffix, bundle(List.of(configMap("b1", ns), configMap("b2", ns)))));
    assertEquals(2, report.applied());
    assertEquals(1, mostInFlight());
    assertEquals(8, calls.size() / 2, "two dry runs and two applies per deployment object");
  }

  @Test
  void theDeletionsOfOneStackOverlapInTheWindow() throws Exception {
    String ns = "prune-" + suffix;
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    String stack = "stack-prune-" + suffix;
    List<String> docs = new ArrayList<>();
    IntStream.range(0, 24).forEach(i -> docs.add(configMap("p-" + i, ns)));
    assertEquals(1, run(reconciler(4), object(stack, bundle(docs))).applied());
    JsonObject marker = new JsonObject().put("id", UUID.randomUUID().toString()).put("stack_id", stack)
        .put("yaml_content", "").put("yaml_checksum", Pak.sha256Hex("marker-" + suffix)).put("is_deletion_marker", true);

    Reconciler.Report report = run(reconciler(4), marker);

    assertEquals(1, report.markers());
    assertEquals(24, report.pruned());
    assertEquals(0, kube.configMaps().inNamespace(ns).list().getItems().stream().filter(c -> c.getMetadata().getName().startsWith("p-"))
        .count(), "every object of the stack is gone");
    int now = 0;
    int most = 0;
    synchronized (deletes) {
      for (boolean start : deletes) {
        now += start ? 1 : -1;
        most = Math.max(most, now);
      }
    }
    assertTrue(most > 1 && most <= 4, "deletions overlap within the window of 4, most in flight: " + most);
  }

  private int mostStacksInFlight() {
    Map<String, Integer> open = new java.util.HashMap<>();
    int most = 0;
    synchronized (calls) {
      for (Call c : calls) {
        open.merge(c.stack(), c.start() ? 1 : -1, Integer::sum);
        most = Math.max(most, (int) open.values().stream().filter(n -> n > 0).count());
      }
    }
    return most;
  }
}
