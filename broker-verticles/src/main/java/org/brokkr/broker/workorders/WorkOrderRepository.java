package org.brokkr.broker.workorders;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.support.Rows;
import org.brokkr.broker.support.Tags;

/**
 * SQL of the work-order queue ({@code work_orders}, with its targets, labels and annotations) and
 * of its permanent record ({@code work_order_log}). State changes are single conditional
 * statements, so concurrent claimants and broker replicas never act on one order twice.
 */
public final class WorkOrderRepository {
  public static final String PENDING = "PENDING";
  public static final String CLAIMED = "CLAIMED";
  public static final String RETRY_PENDING = "RETRY_PENDING";

  static final String COLUMNS = "id, created_at, updated_at, work_type, yaml_content, status, claimed_by, claimed_at, "
      + "claim_timeout_seconds, max_retries, retry_count, backoff_seconds, next_retry_after, last_error, last_error_at";
  static final String LOG_COLUMNS = "id, work_type, created_at, claimed_at, completed_at, claimed_by, success, "
      + "retries_attempted, result_message, yaml_content";

  /**
   * Agent {@code $A} may see and claim order {@code w}: it is live and explicitly targeted, or it
   * has one of the order's labels, or one of the order's (key, value) annotation pairs.
   */
  private static final String ELIGIBLE = """
      EXISTS (SELECT 1 FROM agents a WHERE a.id = $A AND a.deleted_at IS NULL)
      AND (EXISTS (SELECT 1 FROM work_order_targets t WHERE t.work_order_id = w.id AND t.agent_id = $A)
        OR EXISTS (SELECT 1 FROM work_order_labels l JOIN agent_labels al ON al.label = l.label
                    WHERE l.work_order_id = w.id AND al.agent_id = $A)
        OR EXISTS (SELECT 1 FROM work_order_annotations n
                     JOIN agent_annotations aa ON aa.key = n.key AND aa.value = n.value
                    WHERE n.work_order_id = w.id AND aa.agent_id = $A))""";

  private static final String INSERT = """
      INSERT INTO work_orders (work_type, yaml_content, max_retries, backoff_seconds, claim_timeout_seconds)
      VALUES ($1, $2, $3, $4, $5) RETURNING""" + " " + COLUMNS;
  private static final String INSERT_TARGET = "INSERT INTO work_order_targets (work_order_id, agent_id) VALUES ($1, $2)";
  private static final String GET = "SELECT " + COLUMNS + " FROM work_orders WHERE id = $1";
  private static final String LOCK = "SELECT " + COLUMNS + " FROM work_orders WHERE id = $1 FOR UPDATE";
  private static final String LIST = "SELECT " + COLUMNS + """
       FROM work_orders
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR work_type = $2)
      ORDER BY created_at DESC, id""";
  private static final String DELETE = "DELETE FROM work_orders WHERE id = $1 RETURNING id, work_type";
  private static final String PENDING_FOR_AGENT = "SELECT " + prefixed("w") + """
       FROM work_orders w
      WHERE w.status = 'PENDING' AND ($2::text IS NULL OR w.work_type = $2)
        AND\s""" + eligible("$1") + """

      ORDER BY w.created_at, w.id""";
  /** The claim itself: one statement, so of concurrent claimants exactly one sees the order PENDING. */
  private static final String CLAIM = """
      UPDATE work_orders w SET status = 'CLAIMED', claimed_by = $2, claimed_at = now()
       WHERE w.id = $1 AND w.status = 'PENDING'
         AND\s""" + eligible("$2") + """

      RETURNING""" + " " + COLUMNS;
  private static final String SCHEDULE_RETRY = """
      UPDATE work_orders
         SET status = 'RETRY_PENDING', retry_count = retry_count + 1,
             next_retry_after = now() + $2::bigint * interval '1 second',
             claimed_by = NULL, claimed_at = NULL, last_error = $3, last_error_at = now()
       WHERE id = $1
      RETURNING""" + " " + COLUMNS;
  /** Moves an order to the log (same id), completed now; the attempts so far are its retries. */
  private static final String MOVE_TO_LOG = """
      WITH done AS (
        DELETE FROM work_orders WHERE id = $1
        RETURNING id, work_type, created_at, claimed_at, claimed_by, retry_count, yaml_content)
      INSERT INTO work_order_log (id, work_type, created_at, claimed_at, completed_at, claimed_by, success,
                                  retries_attempted, result_message, yaml_content)
      SELECT id, work_type, created_at, claimed_at, now(), claimed_by, $2, retry_count, $3, yaml_content FROM done
      RETURNING""" + " " + LOG_COLUMNS;
  private static final String GET_LOG = "SELECT " + LOG_COLUMNS + " FROM work_order_log WHERE id = $1";
  private static final String LIST_LOG = "SELECT " + LOG_COLUMNS + """
       FROM work_order_log
      WHERE ($1::text IS NULL OR work_type = $1) AND ($2::boolean IS NULL OR success = $2)
        AND ($3::uuid IS NULL OR claimed_by = $3)
      ORDER BY completed_at DESC, id
      LIMIT $4::bigint""";

  /** Due retries become claimable again; rows another replica is handling are skipped. */
  private static final String PROMOTE_DUE_RETRIES = """
      UPDATE work_orders SET status = 'PENDING', next_retry_after = NULL
       WHERE status = 'RETRY_PENDING'
         AND id IN (SELECT id FROM work_orders
                     WHERE status = 'RETRY_PENDING' AND next_retry_after <= now()
                     ORDER BY next_retry_after LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id""";
  /**
   * Claims held past their timeout go back to PENDING (the retry count is kept), each with an
   * audit row naming the agent that lost it, in the same statement.
   */
  private static final String RELEASE_EXPIRED_CLAIMS = """
      WITH stale AS (
        SELECT id, claimed_by, claimed_at FROM work_orders
         WHERE status = 'CLAIMED' AND claimed_at + claim_timeout_seconds * interval '1 second' < now()
         ORDER BY claimed_at LIMIT $1 FOR UPDATE SKIP LOCKED),
      released AS (
        UPDATE work_orders w SET status = 'PENDING', claimed_by = NULL, claimed_at = NULL
          FROM stale WHERE w.id = stale.id AND w.status = 'CLAIMED'
        RETURNING w.id, w.work_type, stale.claimed_by, stale.claimed_at)
      INSERT INTO audit_logs (actor_type, action, resource_type, resource_id, details)
      SELECT 'system', 'workorder.claim_expired', 'work_order', id,
             jsonb_build_object('work_type', work_type, 'agent_id', claimed_by, 'claimed_at', claimed_at)
        FROM released
      RETURNING resource_id""";

  private final Tags tags = new Tags("work_order");

  /** The condition that agent {@code agentParam} (a parameter or column) may see and claim order {@code w}. */
  public static String eligible(String agentParam) {
    return ELIGIBLE.replace("$A", agentParam);
  }

  private static String prefixed(String alias) {
    List<String> out = new ArrayList<>();
    for (String c : COLUMNS.split(",\\s*")) {
      out.add(alias + "." + c);
    }
    return String.join(", ", out);
  }

  // ---- the queue -----------------------------------------------------------------------------

  /** Inserts the order and its targeting (labels and annotations already checked). */
  public Future<JsonObject> insert(SqlClient db, NewWorkOrder order) {
    return db.preparedQuery(INSERT)
        .execute(Tuple.of(order.workType(), order.yamlContent(), order.maxRetries(), order.backoffSeconds(),
            order.claimTimeoutSeconds()))
        .map(Rows::first)
        .compose(created -> {
          UUID id = UUID.fromString(created.getString("id"));
          Future<Void> targets = order.agentIds().isEmpty()
              ? Future.succeededFuture()
              : db.preparedQuery(INSERT_TARGET)
                  .executeBatch(order.agentIds().stream().map(a -> Tuple.of(id, a)).toList()).mapEmpty();
          return targets
              .compose(v -> tags.addLabels(db, id, List.copyOf(order.labels())))
              .compose(v -> tags.addAnnotations(db, id, order.annotations()))
              .map(created);
        });
  }

  public Future<JsonObject> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(Rows::first);
  }

  /** The order, locked until the transaction ends; null when it is not in the queue. */
  public Future<JsonObject> lock(SqlClient db, UUID id) {
    return db.preparedQuery(LOCK).execute(Tuple.of(id)).map(Rows::first);
  }

  public Future<JsonArray> list(SqlClient db, String status, String workType) {
    return db.preparedQuery(LIST).execute(Tuple.of(status, workType)).map(Rows::jsonArray);
  }

  /** The deleted order's id and work type, or null when there was none. */
  public Future<JsonObject> delete(SqlClient db, UUID id) {
    return db.preparedQuery(DELETE).execute(Tuple.of(id)).map(Rows::first);
  }

  public Future<JsonArray> pendingFor(SqlClient db, UUID agentId, String workType) {
    return db.preparedQuery(PENDING_FOR_AGENT).execute(Tuple.of(agentId, workType)).map(Rows::jsonArray);
  }

  /** The claimed order, or null when it is missing, not PENDING, or the agent is not eligible. */
  public Future<JsonObject> claim(SqlClient db, UUID id, UUID agentId) {
    return db.preparedQuery(CLAIM).execute(Tuple.of(id, agentId)).map(Rows::first);
  }

  /** Back to the queue after a failed attempt, claimable again in {@code delaySeconds}. */
  public Future<JsonObject> scheduleRetry(SqlClient db, UUID id, long delaySeconds, String error) {
    return db.preparedQuery(SCHEDULE_RETRY).execute(Tuple.of(id, delaySeconds, error)).map(Rows::first);
  }

  /** The log entry of the order, which leaves the queue. */
  public Future<JsonObject> moveToLog(SqlClient db, UUID id, boolean success, String resultMessage) {
    return db.preparedQuery(MOVE_TO_LOG).execute(Tuple.of(id, success, resultMessage)).map(Rows::first);
  }

  // ---- the log -------------------------------------------------------------------------------

  public Future<JsonObject> findLog(SqlClient db, UUID id) {
    return db.preparedQuery(GET_LOG).execute(Tuple.of(id)).map(Rows::first);
  }

  /** Newest first; a null filter or limit does not restrict. */
  public Future<JsonArray> listLog(SqlClient db, String workType, Boolean success, UUID agentId, Long limit) {
    return db.preparedQuery(LIST_LOG).execute(Tuple.of(workType, success, agentId, limit)).map(Rows::jsonArray);
  }

  /**
   * A finished order as a {@code WorkOrder}: COMPLETED or FAILED, updated when it completed, its
   * retries as the retry count; the queue settings are not kept in the log and read 0.
   */
  public static JsonObject asOrder(JsonObject log) {
    boolean success = log.getBoolean("success");
    return new JsonObject()
        .put("id", log.getString("id"))
        .put("created_at", log.getString("created_at"))
        .put("updated_at", log.getString("completed_at"))
        .put("work_type", log.getString("work_type"))
        .put("yaml_content", log.getString("yaml_content"))
        .put("status", success ? "COMPLETED" : "FAILED")
        .put("claimed_by", log.getString("claimed_by"))
        .put("claimed_at", log.getString("claimed_at"))
        .put("claim_timeout_seconds", 0)
        .put("max_retries", 0)
        .put("retry_count", log.getInteger("retries_attempted"))
        .put("backoff_seconds", 0)
        .put("next_retry_after", null)
        .put("last_error", success ? null : log.getString("result_message"))
        .put("last_error_at", success ? null : log.getString("completed_at"));
  }

  // ---- maintenance ---------------------------------------------------------------------------

  /** Promotes up to {@code batch} due retries; how many it promoted. */
  public Future<Integer> promoteDueRetries(SqlClient db, int batch) {
    return db.preparedQuery(PROMOTE_DUE_RETRIES).execute(Tuple.of(batch)).map(RowSet::rowCount);
  }

  /** Releases up to {@code batch} expired claims (audited); how many it released. */
  public Future<Integer> releaseExpiredClaims(SqlClient db, int batch) {
    return db.preparedQuery(RELEASE_EXPIRED_CLAIMS).execute(Tuple.of(batch)).map(RowSet::rowCount);
  }
}
