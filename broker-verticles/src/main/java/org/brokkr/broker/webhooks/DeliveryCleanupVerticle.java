package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.brokkr.broker.config.ReloadableSettings;
import org.brokkr.broker.support.RetentionVerticle;

/** Deletes successful and dead deliveries older than {@code broker.webhook_cleanup_retention_days} (hourly). */
public final class DeliveryCleanupVerticle extends RetentionVerticle {
  private static final long LOCK_KEY = 0x6272_6b72_7768_6463L;
  private static final String DELETE = """
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries
         WHERE status IN ('success', 'dead') AND created_at < now() - make_interval(days => $1)
         LIMIT $2)""";

  private volatile int retentionDays;

  public DeliveryCleanupVerticle(Pool pool, int intervalSeconds, int retentionDays) {
    super(pool, "webhook_deliveries", LOCK_KEY, intervalSeconds);
    this.retentionDays = retentionDays;
  }

  @Override
  public Future<?> start() {
    // broker.webhook_cleanup_retention_days is reloadable; the hourly interval is not
    ReloadableSettings.subscribe(vertx, r -> retentionDays = r.webhookCleanupRetentionDays());
    return super.start();
  }

  @Override
  protected Future<Integer> deleteBatch(SqlConnection conn, int limit) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(retentionDays, limit)).map(r -> r.rowCount());
  }
}
