package org.brokkr.broker.diagnostics;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/**
 * SQL for diagnostic requests and their results. Every state change is one conditional UPDATE
 * (the status it leaves is in its WHERE clause), so concurrent claims or submissions on any
 * number of brokers have exactly one winner.
 */
public final class DiagnosticRepository {
  static final String REQUEST_COLUMNS =
      "id, agent_id, deployment_object_id, status, requested_by, created_at, claimed_at, completed_at, expires_at";
  static final String RESULT_COLUMNS = "id, request_id, pod_statuses, events, log_tails, collected_at, created_at, error";

  private static final String INSERT = """
      INSERT INTO diagnostic_requests (agent_id, deployment_object_id, requested_by, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(mins => $4::int)) RETURNING """ + " " + REQUEST_COLUMNS;
  private static final String GET = "SELECT " + REQUEST_COLUMNS + ", (expires_at <= now()) AS lapsed FROM diagnostic_requests WHERE id = $1";
  private static final String PENDING_FOR_AGENT = "SELECT " + REQUEST_COLUMNS + """
       FROM diagnostic_requests
      WHERE agent_id = $1 AND status = 'pending' AND expires_at > now()
      ORDER BY created_at, id""";
  /** $2 is the claiming agent, or NULL for admin; an expired request can no longer be claimed. */
  private static final String CLAIM = """
      UPDATE diagnostic_requests SET status = 'claimed', claimed_at = now()
       WHERE id = $1 AND status = 'pending' AND expires_at > now() AND ($2::uuid IS NULL OR agent_id = $2::uuid)
      RETURNING """ + " " + REQUEST_COLUMNS;
  /** Ends a claimed request as 'completed' or 'failed'; only its assigned agent may. */
  private static final String FINISH = """
      UPDATE diagnostic_requests SET status = $3, completed_at = now()
       WHERE id = $1 AND agent_id = $2 AND status = 'claimed'
      RETURNING """ + " " + REQUEST_COLUMNS;
  private static final String INSERT_RESULT = """
      INSERT INTO diagnostic_results (request_id, pod_statuses, events, log_tails, collected_at, error)
      VALUES ($1, $2, $3, $4, $5, $6) RETURNING """ + " " + RESULT_COLUMNS;
  private static final String RESULT_OF = "SELECT " + RESULT_COLUMNS
      + " FROM diagnostic_results WHERE request_id = $1 ORDER BY created_at DESC, id LIMIT 1";
  private static final String EXPIRE_PENDING =
      "UPDATE diagnostic_requests SET status = 'expired' WHERE status = 'pending' AND expires_at <= now()";
  private static final String FAIL_ABANDONED =
      "UPDATE diagnostic_requests SET status = 'failed', completed_at = now() WHERE status = 'claimed' AND expires_at <= now()";
  private static final String DELETE_FINISHED = """
      DELETE FROM diagnostic_requests
       WHERE status IN ('expired', 'completed', 'failed') AND created_at < now() - make_interval(hours => $1::int)""";

  /** A stored request and whether its expiry time has passed (whatever its stored status says). */
  public record Stored(JsonObject request, boolean lapsed) {
    public UUID agentId() {
      return UUID.fromString(request.getString("agent_id"));
    }

    public String status() {
      return request.getString("status");
    }
  }

  /** What one cleanup pass changed. */
  public record Sweep(int expired, int failed, int deleted) {}

  public Future<JsonObject> insert(SqlClient db, UUID agentId, UUID objectId, String requestedBy, int retentionMinutes) {
    return db.preparedQuery(INSERT).execute(Tuple.of(agentId, objectId, requestedBy, retentionMinutes)).map(Rows::first);
  }

  public Future<Stored> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return null;
      }
      JsonObject json = Rows.json(it.next());
      boolean lapsed = Boolean.TRUE.equals(json.remove("lapsed"));
      return new Stored(json, lapsed);
    });
  }

  public Future<JsonArray> pendingFor(SqlClient db, UUID agentId) {
    return db.preparedQuery(PENDING_FOR_AGENT).execute(Tuple.of(agentId)).map(Rows::jsonArray);
  }

  /** The claimed request, or null when this claimant did not win it (gone, not its own, not pending). */
  public Future<JsonObject> claim(SqlClient db, UUID id, UUID agentOrNull) {
    return db.preparedQuery(CLAIM).execute(Tuple.of(id, agentOrNull)).map(Rows::first);
  }

  /** The finished request, or null when it is not a claimed request of that agent. */
  public Future<JsonObject> finish(SqlClient db, UUID id, UUID agentId, String status) {
    return db.preparedQuery(FINISH).execute(Tuple.of(id, agentId, status)).map(Rows::first);
  }

  public Future<JsonObject> insertResult(SqlClient db, UUID requestId, DiagnosticResultInput in) {
    return db.preparedQuery(INSERT_RESULT)
        .execute(Tuple.of(requestId, in.podStatuses(), in.events(), in.logTails(), in.collectedAt(), in.error()))
        .map(Rows::first);
  }

  public Future<JsonObject> resultOf(SqlClient db, UUID requestId) {
    return db.preparedQuery(RESULT_OF).execute(Tuple.of(requestId)).map(Rows::first);
  }

  /** Pending requests past their expiry become expired, abandoned claims failed; old finished ones go. */
  public Future<Sweep> sweep(SqlClient db, int maxAgeHours) {
    return db.query(EXPIRE_PENDING).execute().compose(expired ->
        db.query(FAIL_ABANDONED).execute().compose(failed ->
            db.preparedQuery(DELETE_FINISHED).execute(Tuple.of(maxAgeHours)).map(deleted ->
                new Sweep(expired.rowCount(), failed.rowCount(), deleted.rowCount()))));
  }
}
