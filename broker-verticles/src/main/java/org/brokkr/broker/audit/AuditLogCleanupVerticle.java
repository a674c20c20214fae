package org.brokkr.broker.audit;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.brokkr.broker.support.RetentionVerticle;

/** Deletes audit rows older than {@code broker.audit_log_retention_days} (daily). */
public final class AuditLogCleanupVerticle extends RetentionVerticle {
  private static final long LOCK_KEY = 0x6272_6b72_6175_6474L;
  private static final String DELETE = """
      DELETE FROM audit_logs WHERE id IN (
        SELECT id FROM audit_logs WHERE created_at < now() - make_interval(days => $1) LIMIT $2)""";

  private final int retentionDays;

  public AuditLogCleanupVerticle(Pool pool, int intervalSeconds, int retentionDays) {
    super(pool, "audit_logs", LOCK_KEY, intervalSeconds);
    this.retentionDays = retentionDays;
  }

  @Override
  protected Future<Integer> deleteBatch(SqlConnection conn, int limit) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(retentionDays, limit)).map(r -> r.rowCount());
  }
}
