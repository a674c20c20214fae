package org.brokkr.broker.telemetry;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.brokkr.broker.support.RetentionVerticle;

/**
 * Deletes telemetry rows (Kubernetes events, pod log lines) older than the retention, by the
 * server's {@code created_at}, so an agent's clock cannot keep rows longer. The first sweep runs
 * one interval after start, as the reference's does.
 */
public final class TelemetryEvictionVerticle extends RetentionVerticle {
  /** The reference's eviction interval. */
  public static final int INTERVAL_SECONDS = 60;
  private static final long LOCK_KEY = 0x6272_6b72_7465_6c65L;
  private static final String DELETE = """
      DELETE FROM %s WHERE id IN (
        SELECT id FROM %1$s WHERE created_at < now() - make_interval(secs => $1) LIMIT $2)""";
  private static final String DELETE_EVENTS = DELETE.formatted("agent_k8s_events");
  private static final String DELETE_LOGS = DELETE.formatted("agent_pod_logs");

  private final long retentionSeconds;

  public TelemetryEvictionVerticle(Pool pool, int intervalSeconds, long retentionSeconds) {
    super(pool, "agent_k8s_events/agent_pod_logs", LOCK_KEY, intervalSeconds);
    this.retentionSeconds = TelemetryRetention.effective(retentionSeconds);
  }

  @Override
  protected boolean firstPassAfterOneInterval() {
    return true;
  }

  @Override
  protected Future<Integer> deleteBatch(SqlConnection conn, int limit) {
    Tuple args = Tuple.of((double) retentionSeconds, limit);
    return conn.preparedQuery(DELETE_EVENTS).execute(args).compose(events -> conn.preparedQuery(DELETE_LOGS).execute(args)
        .map(logs -> events.rowCount() + logs.rowCount()));
  }
}
