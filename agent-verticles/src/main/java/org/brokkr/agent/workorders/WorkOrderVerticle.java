package org.brokkr.agent.workorders;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.PassTimer;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.broker.BrokerCallException;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.codecs.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work-order timer: every polling interval, while the agent is ACTIVE, take the pending work
 * orders in the broker's order, claim the first one the broker lets us have (a refused claim,
 * 404 or 409, means another agent got it: the next one is tried), carry it out and report the
 * result. One order at a time; the next pass starts when this one is reported.
 */
public final class WorkOrderVerticle extends PassTimer {
  private static final Logger LOG = LoggerFactory.getLogger(WorkOrderVerticle.class);
  private static final long REPORT_RETRY_MAX_MILLIS = 30_000;

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final BrokerClient broker;
  private final ClusterOps cluster;
  private final RetryPolicy retry;
  private BuildExecutor builds;
  private CustomExecutor customs;
  private int pollFailures;

  public WorkOrderVerticle(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, BrokerClient broker, ClusterOps cluster,
      RetryPolicy retry) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.broker = broker;
    this.cluster = cluster;
    this.retry = retry;
  }

  @Override
  protected void prepare() {
    WorkOrderManifests manifests = new WorkOrderManifests(vertx, cluster, retry, config.watchNamespace().orElse("default"));
    StatusWatch watch = new StatusWatch(vertx, cluster, config.workOrderStatusIntervalSeconds() * 1000L);
    builds = new BuildExecutor(cluster, manifests, watch);
    customs = new CustomExecutor(manifests, watch);
    // a work_order push: look now; the regular pass stays the safety net
    vertx.eventBus().consumer(Addresses.AGENT_WORK_ORDERS_NOW, m -> {
      passNow();
      m.reply(null);
    });
  }

  @Override
  protected long intervalMillis() {
    return config.pollingIntervalSeconds() * 1000L;
  }

  /** One pass: at most one work order carried out and reported. */
  @Override
  protected Future<Void> pass() {
    if (!runtime.active()) {
      return Future.succeededFuture();
    }
    return broker.pendingWorkOrders(runtime.agentId())
        .compose(pending -> {
          pollFailures = 0;
          return claimFirst(pending, 0);
        })
        .recover(err -> {
          pollFailures++;
          if (pollFailures == 1 || pollFailures % 10 == 0) {
            LOG.warn("work order pass failed attempt={} error={}", pollFailures, err.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> claimFirst(JsonArray pending, int index) {
    if (index >= pending.size()) {
      return Future.succeededFuture();
    }
    JsonObject order = pending.getJsonObject(index);
    UUID id = UUID.fromString(order.getString("id"));
    long claimedAt = System.nanoTime();
    return broker.claimWorkOrder(id, runtime.agentId())
        .transform(ar -> {
          if (ar.succeeded()) {
            // the claim's answer is the order as the broker holds it now; the listed copy fills any gap
            JsonObject claimed = order.copy().mergeIn(ar.result() == null ? new JsonObject() : ar.result());
            return run(claimed, ClaimDeadline.of(claimedAt, claimed));
          }
          if (ar.cause() instanceof BrokerCallException e && (e.status() == 404 || e.status() == 409)) {
            metrics.workOrder("not_claimable");
            LOG.info("work order not claimable, skipped work_order_id={} broker_status={}", id, e.status());
            return claimFirst(pending, index + 1);
          }
          return Future.failedFuture(ar.cause());
        });
  }

  private Future<Void> run(JsonObject order, ClaimDeadline deadline) {
    String id = order.getString("id");
    String type = order.getString("work_type");
    LOG.info("work order claimed work_order_id={} work_type={} retry_count={} claim_timeout_s={} wait_limit_s={}", id, type,
        order.getValue("retry_count"), deadline.claimTimeoutSeconds(), deadline.waitMillis() / 1000);
    return Future.succeededFuture()
        .compose(v -> switch (type == null ? "" : type) {
          case "build" -> builds.execute(order, deadline);
          case "custom" -> customs.execute(order, deadline);
          default -> Future.<String>failedFuture(WorkOrderFailure.classifiedByText("Unknown work type: " + type));
        })
        .map(WorkOrderOutcome::succeeded)
        .otherwise(WorkOrderOutcome::failed)
        .compose(outcome -> {
          if (outcome.success()) {
            LOG.info("work order succeeded work_order_id={} work_type={} result={}", id, type, oneLine(outcome.message()));
          } else {
            LOG.warn("work order failed work_order_id={} work_type={} retryable={} error={}", id, type, outcome.retryable(),
                oneLine(outcome.message()));
          }
          metrics.workOrder(outcome.success() ? "succeeded" : "failed");
          return report(UUID.fromString(id), outcome, deadline);
        });
  }

  private static String oneLine(String text) {
    return text == null ? null : text.replaceAll("\\s*[\\r\\n]+\\s*", " | ");
  }

  /** Reports the outcome; while the broker cannot take it, tries again until the claim would expire anyway. */
  private Future<Void> report(UUID id, WorkOrderOutcome outcome, ClaimDeadline deadline) {
    Promise<Void> done = Promise.promise();
    attemptReport(id, outcome, deadline, 1, done);
    return done.future();
  }

  private void attemptReport(UUID id, WorkOrderOutcome outcome, ClaimDeadline deadline, int attempt, Promise<Void> done) {
    broker.completeWorkOrder(id, outcome.success(), outcome.message(), outcome.retryable()).onComplete(ar -> {
      if (ar.succeeded()) {
        LOG.info("work order reported work_order_id={} success={} broker_status={}{}", id, outcome.success(), ar.result(),
            ar.result() == 202 ? " (retry scheduled)" : "");
        done.complete();
        return;
      }
      long delay = Math.min(REPORT_RETRY_MAX_MILLIS, 1000L << Math.min(attempt - 1, 5));
      boolean again = ar.cause() instanceof BrokerCallException e && e.retryable() && !stopped()
          && deadline.claimRemainingMillis() > delay;
      if (!again) {
        metrics.workOrder("report_failed");
        LOG.warn("work order result not reported work_order_id={} success={} attempts={} error={}", id, outcome.success(),
            attempt, ar.cause().getMessage());
        done.complete();
        return;
      }
      if (attempt == 1) {
        LOG.warn("work order result not taken yet, retrying work_order_id={} error={}", id, ar.cause().getMessage());
      }
      vertx.setTimer(delay, t -> attemptReport(id, outcome, deadline, attempt + 1, done));
    });
  }
}
