package org.brokkr.agent.telemetry;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.live.LiveState;
import org.brokkr.agent.live.Uplink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the logs of pods that ask for it ({@code brokkr.io/stream-logs: "true"} and a stack
 * annotation on the Pod itself) as {@code pod_log_line} frames, each container limited by a
 * {@link LogRateLimiter} whose first drop in a window becomes a {@code log_gap}. A follow that ends
 * before its first line (container not started yet) is opened again up to 30 times, 2 s apart;
 * a pod's follows end when it is deleted or stops asking. Telemetry only goes over the socket.
 */
public final class PodLogShipper extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(PodLogShipper.class);
  static final int REOPENS = 30;
  static final long REOPEN_MILLIS = 2_000;
  private static final long MAX_RESTART_MILLIS = 60_000;

  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final ClusterOps cluster;
  private final Map<String, List<Tail>> tails = new HashMap<>();
  private Context context;
  private ClusterOps.Stream watch;
  private long restartDelay = 1_000;
  private boolean stopped;

  public PodLogShipper(AgentRuntime runtime, AgentMetrics metrics, ClusterOps cluster) {
    this.runtime = runtime;
    this.metrics = metrics;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    open();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    List<ClusterOps.Stream> closing = new ArrayList<>();
    if (watch != null) {
      closing.add(watch);
    }
    tails.values().forEach(list -> list.forEach(t -> closing.add(t.stream)));
    tails.clear();
    return vertx.executeBlocking(() -> {
      closing.forEach(s -> {
        if (s != null) {
          s.close();
        }
      });
      return null;
    }, false).otherwise((Object) null);
  }

  private void open() {
    if (stopped) {
      return;
    }
    cluster.watchPods((action, pod) -> context.runOnContext(v -> pod(action, pod)), err -> context.runOnContext(v -> {
      watch = null;
      restartLater(err);
    })).onComplete(ar -> {
      if (ar.failed()) {
        restartLater(ar.cause());
      } else {
        watch = ar.result();
      }
    });
  }

  private void restartLater(Throwable err) {
    if (stopped) {
      return;
    }
    long delay = restartDelay;
    restartDelay = Math.min(MAX_RESTART_MILLIS, restartDelay * 2);
    LOG.info("pod watch ended ({}); restarting in {} ms", err == null ? "closed" : err.getMessage(), delay);
    vertx.setTimer(delay, id -> open());
  }

  private void pod(String action, JsonObject pod) {
    restartDelay = 1_000;
    JsonObject meta = pod.getJsonObject("metadata", new JsonObject());
    String namespace = meta.getString("namespace");
    String name = meta.getString("name");
    String key = namespace + "/" + name;
    Optional<String> stack = "DELETED".equals(action) ? Optional.empty() : TelemetryFrames.logStack(pod);
    if (stack.isEmpty()) {
      List<Tail> gone = tails.remove(key);
      if (gone != null) {
        gone.forEach(Tail::close);
      }
      return;
    }
    if (tails.containsKey(key)) {
      return;
    }
    List<Tail> list = new ArrayList<>();
    JsonArray containers = pod.getJsonObject("spec", new JsonObject()).getJsonArray("containers", new JsonArray());
    for (int i = 0; i < containers.size(); i++) {
      Tail t = new Tail(stack.get(), namespace, name, containers.getJsonObject(i).getString("name"));
      list.add(t);
      t.follow();
    }
    tails.put(key, list);
  }

  /** One container's log follow and its limit. */
  private final class Tail {
    final String stackId;
    final String namespace;
    final String pod;
    final String container;
    final LogRateLimiter limiter = new LogRateLimiter();
    ClusterOps.Stream stream;
    boolean gotLine;
    boolean closed;
    int opens;

    Tail(String stackId, String namespace, String pod, String container) {
      this.stackId = stackId;
      this.namespace = namespace;
      this.pod = pod;
      this.container = container;
    }

    void follow() {
      if (closed || stopped) {
        return;
      }
      opens++;
      cluster.followLog(namespace, pod, container, line -> context.runOnContext(v -> line(line)),
          err -> context.runOnContext(v -> ended())).onComplete(ar -> {
            if (ar.failed()) {
              ended();
            } else if (closed) {
              ar.result().close();
            } else {
              stream = ar.result();
            }
          });
    }

    void ended() {
      stream = null;
      if (!gotLine && opens <= REOPENS && !closed) {
        vertx.setTimer(REOPEN_MILLIS, id -> follow());
      }
    }

    void line(String text) {
      gotLine = true;
      if (closed) {
        return;
      }
      String agentId = runtime.agentId().toString();
      switch (limiter.offer(System.currentTimeMillis())) {
        case SEND -> {
          if (runtime.liveState() == LiveState.UP) {
            Uplink.ship(vertx, TelemetryFrames.podLogLine(agentId, stackId, namespace, pod, container, text));
          } else {
            metrics.telemetryDropped();
          }
        }
        case DROP_AND_ANNOUNCE -> {
          metrics.telemetryDropped();
          if (runtime.liveState() == LiveState.UP) {
            Uplink.ship(vertx, TelemetryFrames.rateLimitGap(agentId, stackId, Instant.now()));
          }
        }
        case DROP -> metrics.telemetryDropped();
      }
    }

    void close() {
      closed = true;
      ClusterOps.Stream s = stream;
      stream = null;
      if (s != null) {
        vertx.executeBlocking(() -> {
          s.close();
          return null;
        }, false);
      }
    }
  }
}
