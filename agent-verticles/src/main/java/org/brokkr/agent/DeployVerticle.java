package org.brokkr.agent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.brokkr.agent.broker.BrokerCallException;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.live.Uplink;
import org.brokkr.agent.reconcile.Reconciler;
import org.brokkr.agent.state.StateStore;
import org.brokkr.codecs.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment timer: every polling interval, fetch the full target state and reconcile it;
 * deliver queued deployment events; persist what was done. While the broker is unreachable,
 * polls back off with jitter up to a cap and the cluster is left exactly as it is.
 */
public final class DeployVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DeployVerticle.class);

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final BrokerClient broker;
  private final ClusterOps cluster;
  private final StateStore state;
  private Reconciler reconciler;
  private int failures;
  /** Tag of the target state held in the state store (null until one was received in this run). */
  private String etag;
  private long timer = -1;
  private boolean stopped;
  private boolean checking;
  /** A push came while a check was running: one more check right after it (a burst of pushes makes one, not N). */
  private boolean checkAgain;

  public DeployVerticle(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, BrokerClient broker,
      ClusterOps cluster, StateStore state) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.broker = broker;
    this.cluster = cluster;
    this.state = state;
  }

  @Override
  public Future<?> start() {
    reconciler = new Reconciler(vertx, cluster, state, runtime.agentId().toString(), config.applyConcurrency());
    vertx.eventBus().consumer(Addresses.AGENT_DEPLOYMENT_CHECK_NOW, m -> {
      checkNow();
      m.reply(null);
    });
    schedule(0);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return state.save().otherwise((Void) null);
  }

  private void schedule(long delayMs) {
    if (stopped) {
      return;
    }
    timer = vertx.setTimer(Math.max(1, delayMs), id -> check());
  }

  private void check() {
    checking = true;
    tick().onComplete(ar -> {
      checking = false;
      if (checkAgain && !stopped) {
        checkAgain = false;
        check();
      } else {
        schedule(nextDelay());
      }
    });
  }

  /** A push hint: check now instead of at the next poll; the regular polls go on as before. */
  private void checkNow() {
    if (stopped) {
      return;
    }
    if (checking) {
      checkAgain = true;
      return;
    }
    vertx.cancelTimer(timer);
    check();
  }

  private long nextDelay() {
    long interval = config.pollingIntervalSeconds() * 1000L;
    if (failures == 0) {
      return interval;
    }
    long backoff = Math.min(config.maxBackoffSeconds() * 1000L, interval * (1L << Math.min(failures, 16)));
    return (long) (backoff * (0.8 + ThreadLocalRandom.current().nextDouble() * 0.4));
  }

  /** One deployment check; public so tests can drive it. */
  Future<Void> tick() {
    if (!runtime.active()) {
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    return broker.targetState(runtime.agentId(), etag)
        .compose(reply -> {
          failures = 0;
          runtime.brokerUp();
          runtime.pollSucceeded();
          metrics.brokerReachable(true);
          metrics.poll(true, (System.nanoTime() - started) / 1e9);
          if (!reply.unchanged()) {
            state.lastTargetState(reply.objects());
            etag = reply.etag();
          }
          // also when unchanged: objects that failed are retried, and the plan costs nothing otherwise
          return reconciler.run(state.lastTargetState());
        })
        .compose(report -> {
          metrics.reconciled(report.applied(), report.failed(), report.pruned());
          if (report.applied() + report.markers() + report.failed() + report.pruned() + report.goneStacks() > 0) {
            LOG.info("reconciled applied={} markers={} failed={} pruned={} unchanged={} gone_stacks={}", report.applied(),
                report.markers(), report.failed(), report.pruned(), report.unchanged(), report.goneStacks());
          }
          return deliverEvents();
        })
        .recover(err -> {
          if (err instanceof BrokerCallException bce && bce.unreachable()) {
            failures++;
            runtime.brokerDown(bce.getMessage());
            metrics.brokerReachable(false);
            metrics.poll(false, (System.nanoTime() - started) / 1e9);
            if (failures == 1 || failures % 10 == 0) {
              LOG.warn("broker unreachable, keeping the cluster as it is (attempt {}): {}", failures, bce.getMessage());
            }
            return Future.succeededFuture();
          }
          metrics.poll(false, (System.nanoTime() - started) / 1e9);
          LOG.warn("deployment check failed: {}", err.toString());
          return Future.succeededFuture();
        })
        .compose(v -> {
          metrics.cluster(cluster.writeCount(), cluster.callCount());
          state.agentStatus(runtime.status());
          return state.save().recover(err -> {
            LOG.warn("could not save agent state: {}", err.toString());
            return Future.succeededFuture();
          });
        });
  }

  /**
   * Sends queued deployment events ({@link EventDelivery}: 8 at a time, each object's in order),
   * each over the live socket when it takes the frame, else by REST. An
   * event the broker refuses for good (e.g. 404 for an object not given to this agent) is dropped;
   * on any other failure it and the rest stay queued (in the state file) for the next poll.
   */
  private Future<Void> deliverEvents() {
    metrics.deploymentEventsPending(state.pendingEvents().size());
    return EventDelivery.deliver(List.copyOf(state.pendingEvents()), event -> Uplink.send(vertx, () -> Uplink.agentEvent(event))
        .recover(notSent -> broker.postEvent(runtime.agentId(), event))
        .recover(err -> {
          if (err instanceof BrokerCallException bce && !bce.retryable()) {
            LOG.warn("dropping deployment event deployment_object_id={} event_status={}: {}, which will not change on retry",
                event.getString("deployment_object_id"), event.getString("status"), bce.getMessage());
            return Future.succeededFuture();
          }
          return Future.failedFuture(err);
        })
        .onSuccess(v -> {
          state.pendingEvents().remove(event);
          metrics.deploymentEventsPending(state.pendingEvents().size());
        }))
        .recover(err -> {
          if (err instanceof BrokerCallException bce && !bce.unreachable()) {
            // 401, 408, 429: the broker is there but did not take the events now
            LOG.warn("deployment events kept for the next poll pending={}: {}", state.pendingEvents().size(), bce.getMessage());
            return Future.succeededFuture();
          }
          return Future.failedFuture(err);
        });
  }
}
