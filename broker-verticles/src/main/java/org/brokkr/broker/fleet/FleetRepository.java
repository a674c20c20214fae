package org.brokkr.broker.fleet;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/**
 * The fleet view: one {@code FleetAgentRecord} per live agent, computed by a single statement of
 * whole-fleet grouped aggregates (one per measured signal, each a set-based pass over its table)
 * joined to the agents, never one query per agent. The rules of the counts:
 * <ul>
 * <li>{@code pending_object_count}: what the agent's incremental target state would serve now:
 *     the latest live object of each associated stack (explicit targets; label and annotation
 *     matches of generators the agent is registered with) plus deletion markers still owed to
 *     it, less those it has reported a SUCCESS for;</li>
 * <li>{@code pending_work_orders}: distinct PENDING work orders the agent may claim (explicit
 *     target, a shared label, or a shared annotation pair; no registration needed);</li>
 * <li>{@code claimed_work_orders}: CLAIMED work orders held by the agent;</li>
 * <li>{@code last_event_at}: its newest live event; {@code health_failing}/{@code health_degraded}:
 *     its health rows with that status.</li>
 * </ul>
 * Ages are whole seconds from the database clock, never negative. {@code ws_connected} and
 * {@code connected_since} come from the open agent sockets of the whole deployment.
 */
public final class FleetRepository {
  /** How long an agent socket's record counts without its replica refreshing it (as {@code agent_ws_connections} says). */
  private static final int SOCKET_LEASE_SECONDS = 60;
  /** The statement, with a place for the condition that picks the agents of the view ({@code a}). */
  private static final String RECORDS = """
      WITH fleet AS MATERIALIZED (
        SELECT a.id, a.name, a.cluster_name, a.status, a.last_heartbeat, a.k8s_reachable, a.k8s_api_latency_ms, a.created_at
          FROM agents a
         WHERE a.deleted_at IS NULL %s
      ),
      latest AS (
        SELECT l.stack_id, l.generator_id, l.id FROM (
          SELECT s.id AS stack_id, s.generator_id,
                 (SELECT d.id FROM deployment_objects d
                   WHERE d.stack_id = s.id AND d.deleted_at IS NULL ORDER BY d.sequence_id DESC LIMIT 1) AS id
            FROM stacks s WHERE s.deleted_at IS NULL) l
         WHERE l.id IS NOT NULL
      ),
      served AS (
        SELECT DISTINCT x.agent_id, x.object_id FROM (
          SELECT al.agent_id, l.id AS object_id
            FROM agent_labels al
            JOIN stack_labels sl ON sl.label = al.label
            JOIN latest l ON l.stack_id = sl.stack_id
            JOIN agent_generator_registrations r ON r.agent_id = al.agent_id AND r.generator_id = l.generator_id
           WHERE al.agent_id IN (SELECT id FROM fleet)
          UNION ALL
          SELECT aa.agent_id, l.id
            FROM agent_annotations aa
            JOIN stack_annotations sa ON sa.key = aa.key AND sa.value = aa.value
            JOIN latest l ON l.stack_id = sa.stack_id
            JOIN agent_generator_registrations r ON r.agent_id = aa.agent_id AND r.generator_id = l.generator_id
           WHERE aa.agent_id IN (SELECT id FROM fleet)
          UNION ALL
          SELECT t.agent_id, l.id FROM agent_targets t JOIN latest l ON l.stack_id = t.stack_id
           WHERE t.agent_id IN (SELECT id FROM fleet)
          UNION ALL
          SELECT p.agent_id, p.deployment_object_id FROM agent_pending_deletions p WHERE p.agent_id IN (SELECT id FROM fleet)
        ) x
      ),
      pending_objects AS (
        SELECT s.agent_id, count(*) AS n
          FROM served s
         WHERE NOT EXISTS (SELECT 1 FROM agent_events e
                            WHERE e.agent_id = s.agent_id AND e.deployment_object_id = s.object_id
                              AND e.deleted_at IS NULL AND upper(e.status) = 'SUCCESS')
         GROUP BY s.agent_id
      ),
      pending_orders AS (
        SELECT x.agent_id, count(DISTINCT x.work_order_id) AS n FROM (
          SELECT t.agent_id, t.work_order_id FROM work_order_targets t JOIN work_orders w ON w.id = t.work_order_id AND w.status = 'PENDING'
          UNION ALL
          SELECT al.agent_id, wl.work_order_id FROM work_order_labels wl JOIN work_orders w ON w.id = wl.work_order_id AND w.status = 'PENDING'
            JOIN agent_labels al ON al.label = wl.label
          UNION ALL
          SELECT aa.agent_id, wa.work_order_id FROM work_order_annotations wa JOIN work_orders w ON w.id = wa.work_order_id AND w.status = 'PENDING'
            JOIN agent_annotations aa ON aa.key = wa.key AND aa.value = wa.value
        ) x WHERE x.agent_id IN (SELECT id FROM fleet)
        GROUP BY x.agent_id
      ),
      claimed_orders AS (
        SELECT w.claimed_by AS agent_id, count(*) AS n FROM work_orders w
         WHERE w.status = 'CLAIMED' AND w.claimed_by IN (SELECT id FROM fleet) GROUP BY w.claimed_by
      ),
      last_events AS (
        SELECT e.agent_id, max(e.created_at) AS at FROM agent_events e
         WHERE e.deleted_at IS NULL AND e.agent_id IN (SELECT id FROM fleet) GROUP BY e.agent_id
      ),
      health AS (
        SELECT h.agent_id, count(*) FILTER (WHERE h.status = 'failing') AS failing, count(*) FILTER (WHERE h.status = 'degraded') AS degraded
          FROM deployment_health h WHERE h.status IN ('failing', 'degraded') AND h.agent_id IN (SELECT id FROM fleet) GROUP BY h.agent_id
      )
      SELECT f.id AS agent_id, f.name, f.cluster_name, f.status, ws.agent_id IS NOT NULL AS ws_connected, ws.connected_since,
             f.last_heartbeat,
             CASE WHEN f.last_heartbeat IS NOT NULL THEN GREATEST(0, floor(extract(epoch FROM now() - f.last_heartbeat)))::bigint END AS heartbeat_age_seconds,
             COALESCE(po.n, 0) AS pending_object_count, COALESCE(pw.n, 0) AS pending_work_orders, COALESCE(cw.n, 0) AS claimed_work_orders,
             le.at AS last_event_at,
             CASE WHEN le.at IS NOT NULL THEN GREATEST(0, floor(extract(epoch FROM now() - le.at)))::bigint END AS seconds_since_last_event,
             COALESCE(h.failing, 0) AS health_failing, COALESCE(h.degraded, 0) AS health_degraded,
             f.k8s_reachable, f.k8s_api_latency_ms::bigint AS k8s_api_latency_ms
        FROM fleet f
        LEFT JOIN pending_objects po ON po.agent_id = f.id
        LEFT JOIN pending_orders pw ON pw.agent_id = f.id
        LEFT JOIN claimed_orders cw ON cw.agent_id = f.id
        LEFT JOIN last_events le ON le.agent_id = f.id
        LEFT JOIN health h ON h.agent_id = f.id
        LEFT JOIN agent_ws_connections ws ON ws.agent_id = f.id AND ws.refreshed_at >= now() - interval '%d seconds'
       ORDER BY f.created_at, f.id""";
  /**
   * One statement per view, so each is planned for its own filter (a generic plan of one
   * statement with optional parameters would be planned for none and run many times slower).
   */
  private static final String WHOLE_FLEET = RECORDS.formatted("", SOCKET_LEASE_SECONDS);
  private static final String REGISTERED_WITH = RECORDS.formatted(
      "AND EXISTS (SELECT 1 FROM agent_generator_registrations r WHERE r.agent_id = a.id AND r.generator_id = $1)",
      SOCKET_LEASE_SECONDS);
  private static final String ONE_AGENT = RECORDS.formatted("AND a.id = $1", SOCKET_LEASE_SECONDS);
  private static final String NO_JIT = "SET LOCAL jit = off";
  static final int RECENT_EVENTS = 20;
  private static final String RECENT_EVENTS_OF_AGENT = """
      SELECT e.id, e.created_at, e.updated_at, e.deleted_at, e.agent_id, e.deployment_object_id, e.event_type, e.status, e.message
        FROM agent_events e JOIN deployment_objects d ON d.id = e.deployment_object_id
       WHERE e.agent_id = $1 AND e.deleted_at IS NULL
       ORDER BY e.created_at DESC, e.id
       LIMIT """ + " " + RECENT_EVENTS;

  /** Records of every live agent, or of those registered with {@code generatorId} when given. */
  public Future<JsonArray> records(Pool pool, UUID generatorId) {
    return generatorId == null ? run(pool, WHOLE_FLEET, Tuple.tuple()) : run(pool, REGISTERED_WITH, Tuple.of(generatorId));
  }

  /** The record of one live agent (an empty array when there is none). */
  public Future<JsonArray> record(Pool pool, UUID agentId) {
    return run(pool, ONE_AGENT, Tuple.of(agentId));
  }

  /**
   * The planner's row estimates for the grouped aggregates are far off (it cannot know how many
   * agents each one covers), which would make it JIT-compile the statement: seconds of compiling
   * for a statement that runs in milliseconds. So the statement runs with JIT off.
   */
  private static Future<JsonArray> run(Pool pool, String statement, Tuple args) {
    return pool.withTransaction(conn -> conn.query(NO_JIT).execute()
        .compose(v -> conn.preparedQuery(statement).execute(args))
        .map(Rows::jsonArray));
  }

  /** The agent's newest live events (at most {@value #RECENT_EVENTS}), newest first. */
  public Future<JsonArray> recentEvents(SqlClient db, UUID agentId) {
    return db.preparedQuery(RECENT_EVENTS_OF_AGENT).execute(Tuple.of(agentId)).map(Rows::jsonArray);
  }
}
