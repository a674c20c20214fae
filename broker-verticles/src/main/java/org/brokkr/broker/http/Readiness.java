package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ready once startup has finished, and for as long as the database answers {@code SELECT 1}
 * within 750 ms; a verdict is reused for 2 s so probes cannot load the database.
 */
public final class Readiness {
  private record Verdict(boolean ready, long atNanos) {}

  private static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private volatile Pool pool;
  private volatile boolean started;
  private final AtomicReference<Verdict> last = new AtomicReference<>(new Verdict(false, 0));

  public void started(Pool pool) {
    this.pool = pool;
    this.started = true;
  }

  public boolean isStarted() {
    return started;
  }

  public Future<Boolean> check() {
    if (!started) {
      return Future.succeededFuture(false);
    }
    Verdict v = last.get();
    if (v.atNanos() != 0 && System.nanoTime() - v.atNanos() < CACHE_NANOS) {
      return Future.succeededFuture(v.ready());
    }
    return pool.query("SELECT 1").execute()
        .timeout(750, TimeUnit.MILLISECONDS)
        .map(rows -> true)
        .otherwise(false)
        .onSuccess(ok -> last.set(new Verdict(ok, System.nanoTime())));
  }
}
