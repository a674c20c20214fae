package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Journal;

/**
 * SQL of the delivery state machine, shared by the broker's worker and the agent endpoints.
 * Claims are one statement each ({@code UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)}),
 * so across replicas and agents a delivery has exactly one holder. A claim lasts at least the
 * claim TTL and always 30 s longer than the subscription's timeout, so a slow post is never
 * released (and posted again) while it is still running.
 */
final class DeliveryRepository {
  /** Deliveries the broker posts itself: no target labels. */
  static final String BROKER_SIDE = "(target_labels IS NULL OR cardinality(target_labels) = 0)";
  private static final String CLAIMED_COLUMNS = """
      d.id, d.subscription_id, d.event_id, d.event_type, d.payload, d.attempts, d.created_at,
      s.url_encrypted, s.auth_header_encrypted, s.signing_secret_encrypted, s.max_retries, s.timeout_seconds""";
  private static final String CLAIM_FOR_SUBSCRIPTION = """
      UPDATE webhook_deliveries d
         SET status = 'acquired', acquired_by = NULL,
             acquired_until = now() + make_interval(secs => GREATEST($3, s.timeout_seconds + 30))
        FROM webhook_subscriptions s
       WHERE s.id = d.subscription_id
         AND d.id IN (SELECT id FROM webhook_deliveries
                       WHERE subscription_id = $1 AND status = 'pending' AND""" + " " + BROKER_SIDE + """

                       ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING""" + " " + CLAIMED_COLUMNS;
  private static final String CLAIM_FOR_AGENT = """
      UPDATE webhook_deliveries d
         SET status = 'acquired', acquired_by = $1,
             acquired_until = now() + make_interval(secs => GREATEST($3, s.timeout_seconds + 30))
        FROM webhook_subscriptions s
       WHERE s.id = d.subscription_id
         AND d.id IN (SELECT x.id FROM webhook_deliveries x
                       WHERE x.status = 'pending' AND cardinality(x.target_labels) > 0
                         AND x.target_labels <@ ARRAY(SELECT label::text FROM agent_labels WHERE agent_id = $1)
                       ORDER BY x.created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING""" + " " + CLAIMED_COLUMNS;
  /** Subscriptions with broker-side deliveries waiting (one index probe each). */
  private static final String WAITING_SUBSCRIPTIONS = """
      SELECT s.id FROM webhook_subscriptions s
       WHERE EXISTS (SELECT 1 FROM webhook_deliveries d
                      WHERE d.subscription_id = s.id AND d.status = 'pending'
                        AND (d.target_labels IS NULL OR cardinality(d.target_labels) = 0))""";
  private static final String RELEASE_EXPIRED = """
      UPDATE webhook_deliveries SET status = 'pending', acquired_by = NULL, acquired_until = NULL
       WHERE status = 'acquired' AND acquired_until < now()""";
  private static final String PROMOTE_RETRIES = """
      UPDATE webhook_deliveries SET status = 'pending', next_retry_at = NULL
       WHERE status = 'failed' AND next_retry_at <= now()""";
  private static final String MARK_SUCCESS = """
      UPDATE webhook_deliveries
         SET status = 'success', attempts = attempts + 1, last_attempt_at = now(), acquired_until = NULL,
             next_retry_at = NULL, completed_at = now(), last_error = NULL
       WHERE id = ANY($1) AND status = 'acquired'""";
  /**
   * One failed attempt: a retryable failure with budget left waits 2^attempts s ({@code failed}),
   * anything else is {@code dead}. {@code max_retries} is the total attempt budget (0 acts as 1).
   */
  private static final String MARK_FAILURE = """
      UPDATE webhook_deliveries SET
             attempts = attempts + 1, last_attempt_at = now(), acquired_by = NULL, acquired_until = NULL,
             last_error = $2,
             status = CASE WHEN $3::boolean AND attempts + 1 < $4 THEN 'failed' ELSE 'dead' END,
             next_retry_at = CASE WHEN $3::boolean AND attempts + 1 < $4
                                  THEN now() + make_interval(secs => power(2, attempts + 1)) END,
             completed_at = CASE WHEN $3::boolean AND attempts + 1 < $4 THEN NULL ELSE now() END
       WHERE id = $1 AND status = 'acquired'
      RETURNING status, attempts, next_retry_at, subscription_id, event_type""";
  private static final String LOCK_FOR_REPORT = """
      SELECT d.status, d.acquired_by, d.subscription_id, d.event_type, s.max_retries, s.url_encrypted,
             s.auth_header_encrypted
        FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
       WHERE d.id = $1
         FOR UPDATE OF d""";

  /** A claimed delivery with its subscription's (encrypted) destination. */
  record Claimed(UUID id, UUID subscriptionId, UUID eventId, String eventType, String payload, int attempts,
      OffsetDateTime createdAt, byte[] url, byte[] authHeader, byte[] signingSecret, int maxRetries, int timeoutSeconds) {
    static Claimed of(Row r) {
      return new Claimed(r.getUUID("id"), r.getUUID("subscription_id"), r.getUUID("event_id"), r.getString("event_type"),
          r.getString("payload"), r.getInteger("attempts"), r.getOffsetDateTime("created_at"),
          WebhookRepository.bytes(r.getBuffer("url_encrypted")), WebhookRepository.bytes(r.getBuffer("auth_header_encrypted")),
          WebhookRepository.bytes(r.getBuffer("signing_secret_encrypted")), r.getInteger("max_retries"),
          r.getInteger("timeout_seconds"));
    }
  }

  /** A failed attempt as recorded: {@code failed} (with its retry time) or {@code dead}. */
  record Recorded(String status, int attempts, OffsetDateTime nextRetryAt, UUID subscriptionId, String eventType) {
    boolean dead() {
      return "dead".equals(status);
    }
  }

  /** The delivery an agent reports on, locked for the report. */
  record Reported(String status, UUID acquiredBy, UUID subscriptionId, String eventType, int maxRetries, byte[] url,
      byte[] authHeader) {}

  Future<List<Claimed>> claimForSubscription(SqlClient db, UUID subscriptionId, int limit, int ttlSeconds) {
    return db.preparedQuery(CLAIM_FOR_SUBSCRIPTION).execute(Tuple.of(subscriptionId, limit, ttlSeconds)).map(DeliveryRepository::claimed);
  }

  Future<List<Claimed>> claimForAgent(SqlClient db, UUID agentId, int limit, int ttlSeconds) {
    return db.preparedQuery(CLAIM_FOR_AGENT).execute(Tuple.of(agentId, limit, ttlSeconds)).map(DeliveryRepository::claimed);
  }

  Future<List<UUID>> waitingSubscriptions(SqlClient db) {
    return db.query(WAITING_SUBSCRIPTIONS).execute().map(rows -> {
      List<UUID> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getUUID(0)));
      return out;
    });
  }

  /** Expired claims back to pending, then due retries: the counts of both. */
  Future<int[]> releaseAndPromote(SqlClient db) {
    return db.query(RELEASE_EXPIRED).execute()
        .compose(released -> db.query(PROMOTE_RETRIES).execute().map(promoted -> new int[] {released.rowCount(), promoted.rowCount()}));
  }

  Future<Integer> markSuccess(SqlClient db, List<UUID> ids) {
    return db.preparedQuery(MARK_SUCCESS).execute(Tuple.of(ids.toArray(UUID[]::new))).map(r -> r.rowCount());
  }

  /** The failed attempt as recorded, or null when the delivery was no longer held. */
  Future<Recorded> markFailure(SqlClient db, UUID id, String error, boolean retryable, int maxRetries) {
    return db.preparedQuery(MARK_FAILURE).execute(Tuple.of(id, error, retryable, maxRetries)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return null;
      }
      Row r = it.next();
      return new Recorded(r.getString("status"), r.getInteger("attempts"), r.getOffsetDateTime("next_retry_at"),
          r.getUUID("subscription_id"), r.getString("event_type"));
    });
  }

  Future<Reported> lockForReport(SqlConnection conn, UUID id) {
    return conn.preparedQuery(LOCK_FOR_REPORT).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return null;
      }
      Row r = it.next();
      return new Reported(r.getString("status"), r.getUUID("acquired_by"), r.getUUID("subscription_id"),
          r.getString("event_type"), r.getInteger("max_retries"), WebhookRepository.bytes(r.getBuffer("url_encrypted")),
          WebhookRepository.bytes(r.getBuffer("auth_header_encrypted")));
    });
  }

  /** Audits a delivery that became dead (actor system, resource the subscription). */
  static Future<Void> auditDeath(SqlConnection conn, UUID deliveryId, Recorded dead, String error, Integer statusCode,
      boolean retryable, UUID agentId) {
    JsonObject details = new JsonObject().put("delivery_id", deliveryId.toString()).put("event_type", dead.eventType())
        .put("attempts", dead.attempts()).put("error", error).put("status_code", statusCode).put("retryable", retryable);
    if (agentId != null) {
      details.put("delivered_by_agent", agentId.toString());
    }
    return Journal.audit(conn, new AuditEntry("system", null, "webhook.delivery_failed", "webhook_subscription",
        dead.subscriptionId(), details, null, null));
  }

  private static List<Claimed> claimed(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Claimed> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(Claimed.of(r)));
    out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
    return out;
  }
}
