package org.brokkr.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.brokkr.agent.Agent;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.live.LiveState;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeLiveBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.OwnershipAnnotations;
import org.brokkr.codecs.live.WsFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which pods have their logs shipped, and how fast. The pods and their watch are real (API
 * server); their containers never run (the test API server has no kubelet), so the log follows
 * are the one thing stood in for: each follow of an opted-in container writes 1,000 lines a
 * second for three seconds. The frames are captured by a stand-in socket server.
 */
@ExtendWith(KubeApiServer.Extension.class)
class PodLogShipperApiServerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int BURST_SECONDS = 3;
  private static final int LINES_PER_SECOND = 1_000;

  private TestBroker broker;
  private AgentHarness agents;
  private FakeLiveBroker live;
  private Agent agent;
  private final List<String> follows = new CopyOnWriteArrayList<>();
  private final List<String> burstsDone = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.stop().await(30, TimeUnit.SECONDS);
    }
    if (agents != null) {
      agents.close();
    }
    if (live != null) {
      live.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aChattyOptedInPodShipsAtMostAHundredLinesASecondPlusGaps(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    Fixtures fx = new Fixtures(broker);
    var gen = fx.generator();
    String name = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id()))).bodyAsJsonObject();
    var identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    String stack = UUID.randomUUID().toString();

    agents = new AgentHarness(apiServer);
    agent = Agent.start(agents.vertx, AgentHarness.config(broker.broker.port(), identity, name, stateDir, 5,
        Map.of("agent.ws_url", live.url())), chattyLogs(agents.ops)).await(60, TimeUnit.SECONDS);
    Eventually.holds(WAIT, "socket up", () -> agent.runtime().liveState() == LiveState.UP);

    String suffix = UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient kube = apiServer.client()) {
      pod(kube, "quiet-" + suffix, Map.of(OwnershipAnnotations.STACK, stack));
      pod(kube, "chatty-" + suffix, Map.of(OwnershipAnnotations.STACK, stack, TelemetryFrames.STREAM_LOGS, "true"));
      Eventually.holds(WAIT, "the opted-in pod is followed", () -> follows.contains("default/chatty-" + suffix + "/app"));
      Eventually.holds(WAIT, "the burst is written", () -> burstsDone.contains("default/chatty-" + suffix + "/app"));
      // the agent takes the lines in its own time (a loaded machine stretches the burst): wait until nothing more comes
      int[] seen = {-1};
      Eventually.holds(WAIT, "everything shipped", () -> {
        int now = live.received.size();
        boolean still = now == seen[0];
        seen[0] = now;
        sleepQuietly(500);
        return still;
      });

      List<WsFrame> lines = lines("chatty-" + suffix);
      // pods of earlier runs may still be on the API server: only this run's stack counts
      List<WsFrame> gaps = live.received("log_gap").stream().filter(f -> stack.equals(f.body().getString("stack_id"))).toList();
      // the limit's windows are the agent's seconds: count them from the stamps of what it shipped
      double span = Duration.between(Instant.parse(lines.get(0).body().getString("ts")),
          Instant.parse(lines.get(lines.size() - 1).body().getString("ts"))).toMillis() / 1000.0;
      int windows = (int) Math.floor(span) + 1;
      System.out.printf("log burst of %d lines: %d pod_log_line and %d log_gap frames shipped over %.1f s%n",
          LINES_PER_SECOND * BURST_SECONDS, lines.size(), gaps.size(), span);
      assertTrue(follows.stream().noneMatch(f -> f.contains("quiet-")), "a pod without stream-logs is not followed: " + follows);
      // at most 100 lines in each 1 s window, and one gap for each window that had to drop
      assertTrue(lines.size() <= 100 * windows, "lines shipped: " + lines.size() + " in windows: " + windows);
      assertTrue(lines.size() >= 100 * BURST_SECONDS, "lines shipped: " + lines.size());
      assertTrue(gaps.size() >= 1 && gaps.size() <= windows, "gaps: " + gaps.size() + " in windows: " + windows);
      assertEquals(stack, lines.get(0).body().getString("stack_id"));
      assertEquals("default", lines.get(0).body().getString("namespace"));
      assertEquals("app", lines.get(0).body().getString("container"));
      assertEquals("line 0", lines.get(0).body().getString("line"));
      JsonObject gap = gaps.get(0).body();
      assertEquals("rate_limit", gap.getString("reason"));
      assertEquals(1L, gap.getLong("dropped_count"));
      assertEquals(stack, gap.getString("stack_id"));
      kube.pods().inNamespace("default").withName("chatty-" + suffix).delete();
      kube.pods().inNamespace("default").withName("quiet-" + suffix).delete();
      assertTrue(agent.metrics().telemetryDroppedCount() >= (long) LINES_PER_SECOND * BURST_SECONDS - lines.size(), "drops are counted");
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<WsFrame> lines(String pod) {
    return live.received("pod_log_line").stream().filter(f -> pod.equals(f.body().getString("pod"))).toList();
  }

  private static void pod(KubernetesClient kube, String name, Map<String, String> annotations) {
    kube.pods().inNamespace("default").resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace("default").withAnnotations(annotations).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec()
        .build()).create();
  }

  /** The real cluster, except that a log follow writes a burst of lines from a thread of its own. */
  @SuppressWarnings("unchecked")
  private ClusterOps chattyLogs(ClusterOps real) {
    return (ClusterOps) Proxy.newProxyInstance(ClusterOps.class.getClassLoader(), new Class<?>[] {ClusterOps.class},
        (proxy, method, args) -> {
          if (!method.getName().equals("followLog")) {
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          }
          String followed = args[0] + "/" + args[1] + "/" + args[2];
          follows.add(followed);
          Consumer<String> onLine = (Consumer<String>) args[3];
          Consumer<Throwable> onEnded = (Consumer<Throwable>) args[4];
          Thread writer = new Thread(() -> {
            try {
              int n = 0;
              for (int second = 0; second < BURST_SECONDS; second++) {
                for (int i = 0; i < LINES_PER_SECOND; i++) {
                  onLine.accept("line " + n++);
                  if (i % 100 == 99) {
                    Thread.sleep(100);
                  }
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            onEnded.accept(null);
            burstsDone.add(followed);
          });
          writer.setDaemon(true);
          writer.start();
          return Future.succeededFuture((ClusterOps.Stream) writer::interrupt);
        });
  }
}
