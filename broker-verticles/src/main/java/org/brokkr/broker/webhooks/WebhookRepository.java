package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/**
 * SQL of the subscription API. Reads never select the encrypted columns: a {@code WebhookResponse}
 * says whether a URL, an auth header or a signing secret is stored, never what it is.
 */
final class WebhookRepository {
  static final String RESPONSE_COLUMNS = """
      id, name, octet_length(url_encrypted) > 0 AS has_url, auth_header_encrypted IS NOT NULL AS has_auth_header,
      event_types, filters, target_labels, enabled, max_retries, timeout_seconds, created_at, updated_at, created_by,
      signing_secret_encrypted IS NOT NULL AS has_signing_secret""";
  private static final String LIST = "SELECT " + RESPONSE_COLUMNS + " FROM webhook_subscriptions ORDER BY created_at DESC, id";
  private static final String GET = "SELECT " + RESPONSE_COLUMNS + " FROM webhook_subscriptions WHERE id = $1";
  private static final String INSERT = """
      INSERT INTO webhook_subscriptions (name, url_encrypted, auth_header_encrypted, event_types, filters, target_labels,
                                         max_retries, timeout_seconds, created_by, signing_secret_encrypted)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'admin', $9)
      RETURNING """ + " " + RESPONSE_COLUMNS;
  /** Every field with a "present" flag: absent fields keep their value, present nulls clear where allowed. */
  private static final String UPDATE = """
      UPDATE webhook_subscriptions SET
        name = CASE WHEN $2::boolean THEN $3 ELSE name END,
        url_encrypted = CASE WHEN $4::boolean THEN $5::bytea ELSE url_encrypted END,
        auth_header_encrypted = CASE WHEN $6::boolean THEN $7::bytea ELSE auth_header_encrypted END,
        event_types = CASE WHEN $8::boolean THEN $9::text[] ELSE event_types END,
        filters = CASE WHEN $10::boolean THEN $11 ELSE filters END,
        enabled = CASE WHEN $12::boolean THEN $13::boolean ELSE enabled END,
        max_retries = CASE WHEN $14::boolean THEN $15::integer ELSE max_retries END,
        timeout_seconds = CASE WHEN $16::boolean THEN $17::integer ELSE timeout_seconds END,
        target_labels = CASE WHEN $18::boolean THEN $19::text[] ELSE target_labels END,
        signing_secret_encrypted = CASE WHEN $20::boolean THEN $21::bytea ELSE signing_secret_encrypted END
       WHERE id = $1
      RETURNING """ + " " + RESPONSE_COLUMNS;
  private static final String DELETE = "DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING name";
  private static final String EXISTS = "SELECT 1 FROM webhook_subscriptions WHERE id = $1";
  private static final String TARGET = """
      SELECT id, url_encrypted, auth_header_encrypted, signing_secret_encrypted, timeout_seconds
        FROM webhook_subscriptions WHERE id = $1""";
  private static final String DELIVERIES = """
      SELECT id, subscription_id, event_type, event_id, payload, target_labels, status, acquired_by, acquired_until,
             attempts, last_attempt_at, next_retry_at, last_error, created_at, completed_at
        FROM webhook_deliveries
       WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2)
       ORDER BY created_at DESC, id
       LIMIT $3 OFFSET $4""";

  /** The stored, encrypted destination of a subscription. */
  record Target(UUID id, byte[] url, byte[] authHeader, byte[] signingSecret, int timeoutSeconds) {}

  Future<JsonArray> list(SqlClient db) {
    return db.query(LIST).execute().map(WebhookRepository::responses);
  }

  Future<JsonObject> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(WebhookRepository::firstResponse);
  }

  Future<Boolean> exists(SqlClient db, UUID id) {
    return db.preparedQuery(EXISTS).execute(Tuple.of(id)).map(rows -> rows.size() > 0);
  }

  Future<JsonObject> insert(SqlClient db, WebhookInput.Creation c, byte[] url, byte[] authHeader, byte[] secret) {
    return db.preparedQuery(INSERT).execute(Tuple.wrap(new ArrayList<>(Arrays.asList(c.name(), buffer(url),
            buffer(authHeader), c.eventTypes().toArray(String[]::new), c.filters(), array(c.targetLabels()),
            c.maxRetries(), c.timeoutSeconds(), buffer(secret)))))
        .map(WebhookRepository::firstResponse);
  }

  /** The updated subscription, or null when there is none with that id. */
  Future<JsonObject> update(SqlClient db, UUID id, WebhookInput.Changes c, byte[] url, byte[] authHeader, byte[] secret) {
    List<Object> args = new ArrayList<>(Arrays.asList(id,
        c.name().present(), c.name().value(),
        c.url().present(), buffer(url),
        c.authHeader().present(), buffer(authHeader),
        c.eventTypes().present(), array(c.eventTypes().value()),
        c.filters().present(), c.filters().value(),
        c.enabled().present(), c.enabled().value(),
        c.maxRetries().present(), c.maxRetries().value(),
        c.timeoutSeconds().present(), c.timeoutSeconds().value(),
        c.targetLabels().present(), array(c.targetLabels().value()),
        c.signingSecret().present(), buffer(secret)));
    return db.preparedQuery(UPDATE).execute(Tuple.wrap(args)).map(WebhookRepository::firstResponse);
  }

  /** The deleted subscription's name, or null when there was none. */
  Future<String> delete(SqlClient db, UUID id) {
    return db.preparedQuery(DELETE).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? it.next().getString(0) : null;
    });
  }

  Future<Target> target(SqlClient db, UUID id) {
    return db.preparedQuery(TARGET).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return null;
      }
      Row r = it.next();
      return new Target(r.getUUID("id"), bytes(r.getBuffer("url_encrypted")), bytes(r.getBuffer("auth_header_encrypted")),
          bytes(r.getBuffer("signing_secret_encrypted")), r.getInteger("timeout_seconds"));
    });
  }

  Future<JsonArray> deliveries(SqlClient db, UUID subscriptionId, String status, long limit, long offset) {
    return db.preparedQuery(DELIVERIES).execute(Tuple.of(subscriptionId, status, limit, offset)).map(Rows::jsonArray);
  }

  // --- rows -> WebhookResponse ---------------------------------------------------------------------

  private static JsonArray responses(RowSet<Row> rows) {
    JsonArray out = new JsonArray();
    for (Row row : rows) {
      out.add(response(row));
    }
    return out;
  }

  private static JsonObject firstResponse(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? response(it.next()) : null;
  }

  /**
   * The wire form: stored filters as evaluated (only {@code agent_id}, {@code stack_id}); a
   * subscription without (readable) filters has no {@code filters} field at all, as the reference
   * sends it (its clients read a present {@code filters} as an object, never null).
   */
  static JsonObject response(Row row) {
    JsonObject json = Rows.json(row);
    JsonObject filters = readableFilters(json.getString("filters"));
    if (filters == null) {
      json.remove("filters");
    } else {
      json.put("filters", filters);
    }
    return json;
  }

  static JsonObject readableFilters(String stored) {
    if (stored == null || stored.isBlank()) {
      return null;
    }
    try {
      if (!(io.vertx.core.json.Json.decodeValue(stored) instanceof JsonObject json)) {
        return null;
      }
      JsonObject out = new JsonObject();
      for (String key : new String[] {"agent_id", "stack_id"}) {
        Object value = json.getValue(key);
        if (value != null) {
          out.put(key, UUID.fromString((String) value).toString());
        }
      }
      return out;
    } catch (RuntimeException e) {
      return null;
    }
  }

  static Buffer buffer(byte[] bytes) {
    return bytes == null ? null : Buffer.buffer(bytes);
  }

  static byte[] bytes(Buffer buffer) {
    return buffer == null ? null : buffer.getBytes();
  }

  private static String[] array(List<String> values) {
    return values == null ? null : values.toArray(String[]::new);
  }
}
