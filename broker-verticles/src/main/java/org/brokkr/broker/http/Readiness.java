package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;

/**
 * Ready once startup has finished and for as long as the database answers. The verdict comes from
 * a background probe ({@code SELECT 1} every 200 ms, 500 ms budget), so {@code /readyz} follows a
 * database outage and its end within well under a second without probes loading the database; a
 * request that finds the database unreachable turns it to not-ready at once.
 */
public final class Readiness {
  private static final long PROBE_INTERVAL_MS = 200;
  private static final long PROBE_TIMEOUT_MS = 500;

  private volatile Pool pool;
  private volatile boolean started;
  private volatile Boolean verdict;
  private Future<Boolean> inflight;
  private Vertx vertx;
  private long timer = -1;

  /** Startup has completed: probe the database from now on. */
  public synchronized void started(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.started = true;
    probe();
    timer = vertx.setPeriodic(PROBE_INTERVAL_MS, id -> probe());
  }

  public boolean isStarted() {
    return started;
  }

  /** The current verdict; the first probe's outcome when none has completed yet. */
  public Future<Boolean> check() {
    if (!started) {
      return Future.succeededFuture(false);
    }
    Boolean v = verdict;
    return v != null ? Future.succeededFuture(v) : probe();
  }

  /** A request found the database unreachable: not ready until the next probe succeeds. */
  public void databaseFailed() {
    if (started) {
      verdict = false;
    }
  }

  public synchronized void stop() {
    started = false;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private synchronized Future<Boolean> probe() {
    if (inflight != null) {
      return inflight;
    }
    Future<Boolean> result = pool.query("SELECT 1").execute()
        .timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(rows -> true)
        .otherwise(false);
    inflight = result;
    result.onComplete(ar -> settle(ar.result()));
    return result;
  }

  private synchronized void settle(boolean ok) {
    verdict = ok;
    inflight = null;
  }
}
