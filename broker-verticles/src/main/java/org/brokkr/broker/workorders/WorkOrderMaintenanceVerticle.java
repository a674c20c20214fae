package org.brokkr.broker.workorders;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.brokkr.broker.support.FailureLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work-order maintenance, on a timer: due retries (RETRY_PENDING past {@code next_retry_after})
 * become PENDING, then claims held longer than their {@code claim_timeout_seconds} go back to
 * PENDING. Each step is one statement over rows it locks with SKIP LOCKED, so any number of broker
 * replicas may run it at once without handling an order twice. One instance per broker.
 */
public final class WorkOrderMaintenanceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WorkOrderMaintenanceVerticle.class);
  /** Rows per statement; a larger backlog is worked off in further rounds of the same tick. */
  static final int BATCH = 500;
  private static final int MAX_ROUNDS = 100;

  private final Pool pool;
  private final long intervalMillis;
  private final WorkOrderRepository orders = new WorkOrderRepository();
  private long timer = -1;
  private boolean running;

  public WorkOrderMaintenanceVerticle(Pool pool, long intervalMillis) {
    this.pool = pool;
    this.intervalMillis = intervalMillis;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(intervalMillis, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void tick() {
    if (running) {
      return;
    }
    running = true;
    round(0, 0, 0).onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("work-order maintenance failed: {}", FailureLog.oneLine(ar.cause().toString()));
      }
    });
  }

  private Future<Void> round(int n, int promotedSoFar, int releasedSoFar) {
    return orders.promoteDueRetries(pool, BATCH).compose(promoted -> orders.releaseExpiredClaims(pool, BATCH)
        .compose(released -> {
          int p = promotedSoFar + promoted;
          int r = releasedSoFar + released;
          if ((promoted == BATCH || released == BATCH) && n + 1 < MAX_ROUNDS) {
            return round(n + 1, p, r);
          }
          if (p > 0 || r > 0) {
            LOG.info("work-order maintenance retries_promoted={} expired_claims_released={}", p, r);
          }
          return Future.<Void>succeededFuture();
        }));
  }
}
