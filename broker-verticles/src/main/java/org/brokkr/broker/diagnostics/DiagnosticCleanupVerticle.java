package org.brokkr.broker.diagnostics;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.brokkr.broker.config.ReloadableSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code broker.diagnostic_cleanup_interval_seconds}: pending requests past their expiry
 * become {@code expired}, claimed ones whose agent never answered become {@code failed}, and
 * finished requests older than {@code broker.diagnostic_max_age_hours} are deleted (results go
 * with them). One pass at a time across all replicas: a pass holds a transaction-scoped advisory
 * lock, and a replica that cannot take it skips its turn. One instance per broker.
 */
public final class DiagnosticCleanupVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DiagnosticCleanupVerticle.class);
  /** Advisory lock key of the pass (any constant shared by all replicas). */
  static final long LOCK_KEY = 0x6272_6b72_6469_6167L;
  private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")";

  private final Pool pool;
  private long intervalMillis;
  private int maxAgeHours;
  private final DiagnosticRepository repo = new DiagnosticRepository();
  private long timer = -1;
  private boolean running;

  public DiagnosticCleanupVerticle(Pool pool, int intervalSeconds, int maxAgeHours) {
    this.pool = pool;
    this.intervalMillis = intervalSeconds * 1000L;
    this.maxAgeHours = maxAgeHours;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(intervalMillis, id -> runOnce());
    // both settings are reloadable: a new interval restarts the timer, a new age applies at the next pass
    ReloadableSettings.subscribe(vertx, r -> {
      maxAgeHours = r.diagnosticMaxAgeHours();
      long millis = r.diagnosticCleanupIntervalSeconds() * 1000L;
      if (millis != intervalMillis) {
        intervalMillis = millis;
        vertx.cancelTimer(timer);
        timer = vertx.setPeriodic(millis, id -> runOnce());
      }
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** One pass; its outcome is empty when another replica held the lock (or a pass is still running here). */
  Future<DiagnosticRepository.Sweep> runOnce() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return pool.withTransaction(conn -> conn.query(TRY_LOCK).execute().compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            return Future.<DiagnosticRepository.Sweep>succeededFuture();
          }
          return repo.sweep(conn, maxAgeHours);
        }))
        .onSuccess(sweep -> {
          if (sweep != null && sweep.expired() + sweep.failed() + sweep.deleted() > 0) {
            LOG.info("diagnostic cleanup expired={} failed={} deleted={}", sweep.expired(), sweep.failed(), sweep.deleted());
          }
        })
        .onFailure(e -> LOG.warn("diagnostic cleanup failed: {}", e.toString()))
        .onComplete(ar -> running = false);
  }
}
