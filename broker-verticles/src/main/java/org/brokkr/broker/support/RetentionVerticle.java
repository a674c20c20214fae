package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A periodic delete of rows past their retention, safe with N replicas: every batch is a
 * transaction that first takes a transaction-scoped advisory lock, and a replica that cannot take
 * it leaves the pass to the one that holds it. Batches are bounded, so a large backlog never holds
 * long locks. The first pass runs at start (as the reference's timers do), unless the sweep says
 * otherwise ({@link #firstPassAfterOneInterval()}). One instance per broker.
 */
public abstract class RetentionVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionVerticle.class);
  /** Rows deleted per transaction. */
  protected static final int BATCH = 5000;

  private final Pool pool;
  private final String what;
  private final long lockKey;
  private long intervalMillis;
  private long timer = -1;
  private boolean running;

  /**
   * @param what names the rows in logs (e.g. "audit_logs")
   * @param lockKey the advisory lock of this sweep, the same constant on every replica
   */
  protected RetentionVerticle(Pool pool, String what, long lockKey, int intervalSeconds) {
    this.pool = pool;
    this.what = what;
    this.lockKey = lockKey;
    this.intervalMillis = intervalSeconds * 1000L;
  }

  /** Deletes at most {@code limit} expired rows; the answer is how many went. */
  protected abstract Future<Integer> deleteBatch(SqlConnection conn, int limit);

  /** Whether the first pass waits one interval instead of running at start. */
  protected boolean firstPassAfterOneInterval() {
    return false;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(firstPassAfterOneInterval() ? intervalMillis : 1, intervalMillis, id -> runOnce());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Sweeps every {@code seconds} from now on (a reload changed the interval). */
  protected final void interval(int seconds) {
    long millis = seconds * 1000L;
    if (millis != intervalMillis) {
      intervalMillis = millis;
      vertx.cancelTimer(timer);
      timer = vertx.setPeriodic(millis, millis, id -> runOnce());
    }
  }

  /** One pass: batches until fewer than a batch were deleted or another replica holds the lock. */
  public Future<Integer> runOnce() {
    if (running) {
      return Future.succeededFuture(0);
    }
    running = true;
    return pass(0)
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("retention sweep table={} deleted={}", what, n);
          }
        })
        .onFailure(e -> LOG.warn("retention sweep table={} failed: {}", what, FailureLog.oneLine(e.toString())))
        .onComplete(ar -> running = false);
  }

  private Future<Integer> pass(int sofar) {
    return pool.withTransaction(conn -> conn.query("SELECT pg_try_advisory_xact_lock(" + lockKey + ")").execute()
            .compose(rows -> rows.iterator().next().getBoolean(0) ? deleteBatch(conn, BATCH) : Future.succeededFuture(-1)))
        .compose(n -> n < BATCH ? Future.succeededFuture(sofar + Math.max(0, n)) : pass(sofar + n));
  }
}
