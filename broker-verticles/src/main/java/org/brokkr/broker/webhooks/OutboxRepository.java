package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** SQL of the dispatcher: outbox rows in, deliveries out, in one transaction. */
final class OutboxRepository {
  /** Claims and marks a batch at once; the row locks keep other replicas off it until the commit. */
  private static final String CLAIM = """
      UPDATE event_outbox SET dispatched_at = now()
       WHERE id IN (SELECT id FROM event_outbox WHERE dispatched_at IS NULL
                     ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING id, event_type, payload, created_at""";
  private static final String ENABLED = "SELECT id, event_types, filters FROM webhook_subscriptions WHERE enabled";
  /** One row per (event, subscription), in event order; target labels copied from the subscription. */
  private static final String INSERT_DELIVERIES = """
      INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels, created_at)
      SELECT u.subscription_id, u.event_type, u.event_id, u.payload, s.target_labels, clock_timestamp()
        FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[]) WITH ORDINALITY
             AS u(subscription_id, event_type, event_id, payload, n)
        JOIN webhook_subscriptions s ON s.id = u.subscription_id
       ORDER BY u.n
      RETURNING subscription_id, (target_labels IS NULL OR cardinality(target_labels) = 0) AS broker_side""";

  /** One outbox row. */
  record Event(UUID id, String type, JsonObject envelope, OffsetDateTime createdAt) {
    /**
     * The delivery body in the reference's field order. The id and type are the row's (so the body's
     * id is always the delivery's event_id); a row written without an envelope still delivers.
     */
    String body() {
      return new JsonObject().put("id", id.toString()).put("event_type", type)
          .put("timestamp", timestamp())
          .put("data", data() != null ? data() : new JsonObject()).encode();
    }

    /** The envelope's timestamp as written with the event, else when the row was written. */
    Object timestamp() {
      Object timestamp = envelope.getValue("timestamp");
      return timestamp != null ? timestamp : org.brokkr.broker.support.Rows.timestamp(createdAt);
    }

    JsonObject data() {
      return envelope.getValue("data") instanceof JsonObject d ? d : null;
    }
  }

  /** An enabled subscription's id and matching rule. */
  record Subscription(UUID id, SubscriptionMatch match) {}

  Future<List<Event>> claim(SqlConnection conn, int limit) {
    return conn.preparedQuery(CLAIM).execute(Tuple.of(limit)).map(rows -> {
      List<Event> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        Object payload = r.getValue("payload");
        out.add(new Event(r.getUUID("id"), r.getString("event_type"),
            payload instanceof JsonObject envelope ? envelope : new JsonObject(), r.getOffsetDateTime("created_at")));
      }
      out.sort(Comparator.comparing(Event::createdAt).thenComparing(Event::id));
      return out;
    });
  }

  Future<List<Subscription>> enabled(SqlConnection conn) {
    return conn.query(ENABLED).execute().map(rows -> {
      List<Subscription> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        String[] patterns = r.getArrayOfStrings("event_types");
        out.add(new Subscription(r.getUUID("id"),
            SubscriptionMatch.of(patterns == null ? List.of() : Arrays.asList(patterns), r.getString("filters"))));
      }
      return out;
    });
  }

  /** Inserts the deliveries; the answer is the subscriptions that got deliveries the broker posts itself. */
  Future<Set<UUID>> insert(SqlConnection conn, List<UUID> subscriptions, List<Event> events) {
    if (subscriptions.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    int n = subscriptions.size();
    UUID[] subs = subscriptions.toArray(UUID[]::new);
    String[] types = new String[n];
    UUID[] ids = new UUID[n];
    String[] bodies = new String[n];
    java.util.Map<UUID, String> encoded = new java.util.HashMap<>();
    for (int i = 0; i < n; i++) {
      Event e = events.get(i);
      types[i] = e.type();
      ids[i] = e.id();
      bodies[i] = encoded.computeIfAbsent(e.id(), id -> e.body());
    }
    return conn.preparedQuery(INSERT_DELIVERIES).execute(Tuple.of(subs, types, ids, bodies)).map(rows -> {
      Set<UUID> brokerSide = new HashSet<>();
      for (Row r : rows) {
        if (Boolean.TRUE.equals(r.getBoolean("broker_side"))) {
          brokerSide.add(r.getUUID("subscription_id"));
        }
      }
      return brokerSide;
    });
  }
}
