package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.brokkr.codecs.Randomness;

/**
 * Writes the consequences of a change inside the change's own transaction: the audit row and,
 * where an event is emitted, the outbox row the dispatcher turns into webhook deliveries.
 */
public final class Journal {
  private static final String INSERT_AUDIT = """
      INSERT INTO audit_logs (actor_type, actor_id, action, resource_type, resource_id, details, ip_address, user_agent)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""";
  private static final String INSERT_OUTBOX = """
      INSERT INTO event_outbox (id, event_type, payload, agent_id, stack_id)
      VALUES ($1, $2, $3, $4, $5)""";
  private static final String NOTIFY_OUTBOX = "SELECT pg_notify('brokkr_outbox', $1)";

  private Journal() {}

  public static Future<Void> audit(SqlConnection conn, AuditEntry e) {
    return conn.preparedQuery(INSERT_AUDIT)
        .execute(Tuple.of(e.actorType(), e.actorId(), e.action(), e.resourceType(), e.resourceId(),
            e.details(), e.ipAddress(), e.userAgent()))
        .mapEmpty();
  }

  /** Emits an event: the envelope {id, event_type, timestamp, data} is stored whole. */
  public static Future<Void> event(SqlConnection conn, String eventType, JsonObject data, UUID agentId, UUID stackId) {
    UUID id = Randomness.uuid();
    JsonObject envelope = new JsonObject()
        .put("id", id.toString())
        .put("event_type", eventType)
        .put("timestamp", Rows.timestamp(OffsetDateTime.now(ZoneOffset.UTC)))
        .put("data", data);
    return conn.preparedQuery(INSERT_OUTBOX)
        .execute(Tuple.of(id, eventType, envelope, agentId, stackId))
        .compose(r -> conn.preparedQuery(NOTIFY_OUTBOX).execute(Tuple.of(eventType)))
        .mapEmpty();
  }
}
