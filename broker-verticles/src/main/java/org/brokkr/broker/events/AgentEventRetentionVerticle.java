package org.brokkr.broker.events;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.brokkr.broker.support.RetentionVerticle;

/**
 * Deletes agent events older than {@code broker.agent_events_retention_days} (hourly), except
 * what target states still read: for each agent and deployment object, its newest live event and
 * its newest live SUCCESS (the one that hides an applied object from the incremental target state).
 * Without that exception (the reference has none), an object applied more than a month ago would
 * be served, and applied, again.
 */
public final class AgentEventRetentionVerticle extends RetentionVerticle {
  private static final long LOCK_KEY = 0x6272_6b72_6167_6576L;
  private static final String DELETE = """
      DELETE FROM agent_events WHERE id IN (
        SELECT e.id FROM agent_events e
         WHERE e.created_at < now() - make_interval(days => $1)
           AND (e.deleted_at IS NOT NULL OR (
                EXISTS (SELECT 1 FROM agent_events n
                         WHERE n.agent_id = e.agent_id AND n.deployment_object_id = e.deployment_object_id
                           AND n.deleted_at IS NULL AND (n.created_at, n.id) > (e.created_at, e.id))
                AND (upper(e.status) <> 'SUCCESS' OR EXISTS (SELECT 1 FROM agent_events n
                         WHERE n.agent_id = e.agent_id AND n.deployment_object_id = e.deployment_object_id
                           AND n.deleted_at IS NULL AND upper(n.status) = 'SUCCESS'
                           AND (n.created_at, n.id) > (e.created_at, e.id)))))
         LIMIT $2)""";

  private final int retentionDays;

  public AgentEventRetentionVerticle(Pool pool, int intervalSeconds, int retentionDays) {
    super(pool, "agent_events", LOCK_KEY, intervalSeconds);
    this.retentionDays = retentionDays;
  }

  @Override
  protected Future<Integer> deleteBatch(SqlConnection conn, int limit) {
    return conn.preparedQuery(DELETE).execute(Tuple.of(retentionDays, limit)).map(r -> r.rowCount());
  }
}
