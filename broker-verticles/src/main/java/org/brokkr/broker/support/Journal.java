package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
  // clock_timestamp(): events of one transaction keep the order in which they were written
  private static final String INSERT_OUTBOX = """
      INSERT INTO event_outbox (id, event_type, payload, agent_id, stack_id, created_at)
      VALUES ($1, $2, $3, $4, $5, clock_timestamp())""";
  private static final String NOTIFY_OUTBOX = Channels.notifySql(Channels.OUTBOX);

  private Journal() {}

  public static Future<Void> audit(SqlConnection conn, AuditEntry e) {
    return conn.preparedQuery(INSERT_AUDIT)
        .execute(Tuple.of(e.actorType(), e.actorId(), e.action(), e.resourceType(), e.resourceId(),
            e.details(), e.ipAddress(), e.userAgent()))
        .mapEmpty();
  }

  /** Emits an event: the envelope {id, event_type, timestamp, data} is stored whole. */
  public static Future<Void> event(SqlConnection conn, String eventType, JsonObject data, UUID agentId, UUID stackId) {
    return events(conn, eventType, List.of(data), agentId, stackId);
  }

  /** Emits one event of a type per data object, in order, in one round trip (e.g. every object of a deleted stack). */
  public static Future<Void> events(SqlConnection conn, String eventType, List<JsonObject> data, UUID agentId, UUID stackId) {
    if (data.isEmpty()) {
      return Future.succeededFuture();
    }
    String timestamp = Rows.timestamp(OffsetDateTime.now(ZoneOffset.UTC));
    List<Tuple> rows = new ArrayList<>(data.size());
    for (JsonObject d : data) {
      UUID id = Randomness.uuid();
      JsonObject envelope = new JsonObject()
          .put("id", id.toString())
          .put("event_type", eventType)
          .put("timestamp", timestamp)
          .put("data", d);
      rows.add(Tuple.of(id, eventType, envelope, agentId, stackId));
    }
    Future<?> inserted = rows.size() == 1
        ? conn.preparedQuery(INSERT_OUTBOX).execute(rows.get(0))
        : conn.preparedQuery(INSERT_OUTBOX).executeBatch(rows);
    return inserted.compose(r -> conn.preparedQuery(NOTIFY_OUTBOX).execute(Tuple.of(eventType))).mapEmpty();
  }
}
