package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.brokkr.broker.support.RetentionVerticle;

/**
 * Deletes outbox rows dispatched more than {@code broker.event_outbox_retention_hours} ago
 * (hourly). Rows not yet dispatched are never touched, however old.
 */
public final class OutboxCleanupVerticle extends RetentionVerticle {
  private static final long LOCK_KEY = 0x6272_6b72_6f75_7462L;
  private static final String DELETE = """
      DELETE FROM event_outbox WHERE id IN (
        SELECT id FROM event_outbox
         WHERE dispatched_at IS NOT NULL AND dispatched_at < now() - make_interval(hours => $1)
         LIMIT $2)""";

  private final int retentionHours;

  public OutboxCleanupVerticle(Pool pool, int intervalSeconds, int retentionHours) {
    super(pool, "event_outbox", LOCK_KEY, intervalSeconds);
    this.retentionHours = retentionHours;
  }

  @Override
  protected Future<Integer> deleteBatch(SqlConnection conn, int limit) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(retentionHours, limit)).map(r -> r.rowCount());
  }
}
