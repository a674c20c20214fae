package org.brokkr.agent.telemetry;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.live.LiveState;
import org.brokkr.agent.live.Uplink;
import org.brokkr.codecs.live.MalformedFrameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships the Kubernetes Events of objects this agent owns as {@code k8s_event} frames: watch the
 * Events (restarted 1 s, doubling to 60 s, after it ends), find the involved object's stack by its
 * UID (cached), and hand the frame to the live socket. Telemetry only goes over the socket: while
 * it is not up, Events are dropped without a lookup; at most {@link #QUEUE} Events are in
 * hand at once, more are dropped (both counted).
 */
public final class KubeEventShipper extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(KubeEventShipper.class);
  static final int QUEUE = 256;
  private static final long FIRST_RESTART_MILLIS = 1_000;
  private static final long MAX_RESTART_MILLIS = 60_000;

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final ClusterOps cluster;
  private StackCache stacks;
  private Context context;
  private ClusterOps.Stream watch;
  private long restartDelay = FIRST_RESTART_MILLIS;
  private long timer = -1;
  private int inHand;
  private boolean stopped;

  public KubeEventShipper(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, ClusterOps cluster) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    context = vertx.getOrCreateContext();
    stacks = new StackCache(config.kubeEventUidCacheCap(), System::nanoTime);
    open();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    if (watch != null) {
      ClusterOps.Stream w = watch;
      watch = null;
      // closing talks to the API server: not on the event loop
      return vertx.executeBlocking(() -> {
        w.close();
        return null;
      }, false).otherwise((Object) null);
    }
    return Future.succeededFuture();
  }

  private void open() {
    if (stopped) {
      return;
    }
    cluster.watchEvents(event -> context.runOnContext(v -> received(event)), err -> context.runOnContext(v -> ended(err)))
        .onComplete(ar -> {
          if (ar.failed()) {
            restartLater(ar.cause());
          } else if (stopped) {
            vertx.executeBlocking(() -> {
              ar.result().close();
              return null;
            }, false);
          } else {
            watch = ar.result();
            LOG.debug("kubernetes event watch open");
          }
        });
  }

  private void ended(Throwable err) {
    watch = null;
    restartLater(err);
  }

  private void restartLater(Throwable err) {
    if (stopped) {
      return;
    }
    long delay = restartDelay;
    restartDelay = Math.min(MAX_RESTART_MILLIS, restartDelay * 2);
    LOG.info("kubernetes event watch ended ({}); restarting in {} ms", err == null ? "closed" : err.getMessage(), delay);
    timer = vertx.setTimer(delay, id -> open());
  }

  private void received(JsonObject event) {
    restartDelay = FIRST_RESTART_MILLIS;
    JsonObject involved = event.getJsonObject("involvedObject");
    String uid = involved == null ? null : involved.getString("uid");
    if (uid == null || involved.getString("apiVersion") == null || involved.getString("kind") == null
        || involved.getString("name") == null) {
      return;
    }
    if (runtime.liveState() != LiveState.UP || inHand >= QUEUE) {
      metrics.telemetryDropped();
      return;
    }
    inHand++;
    stackOf(uid, involved).onComplete(ar -> {
      inHand--;
      if (ar.succeeded() && ar.result().isPresent()) {
        try {
          Uplink.ship(vertx, TelemetryFrames.k8sEvent(runtime.agentId().toString(), ar.result().get(), event));
        } catch (MalformedFrameException e) {
          LOG.debug("kubernetes event not shipped: {}", e.getMessage());
        }
      }
    });
  }

  /** The stack of the involved object, if this agent owns it; a lookup that fails is not cached. */
  private Future<Optional<String>> stackOf(String uid, JsonObject involved) {
    Optional<Optional<String>> known = stacks.get(uid);
    if (known.isPresent()) {
      return Future.succeededFuture(known.get());
    }
    ObjectRef ref = new ObjectRef(involved.getString("apiVersion"), involved.getString("kind"),
        involved.getString("namespace"), involved.getString("name"));
    return cluster.getObject(ref).map(found -> {
      // the same name may now be another object: only the UID of the event counts
      Optional<String> stack = found
          .filter(o -> uid.equals(o.getJsonObject("metadata", new JsonObject()).getString("uid")))
          .flatMap(o -> TelemetryFrames.ownedStack(o, runtime.agentId().toString()));
      stacks.put(uid, stack);
      return stack;
    });
  }
}
