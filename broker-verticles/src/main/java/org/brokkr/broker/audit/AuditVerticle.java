package org.brokkr.broker.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.Rows;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;

/** Reads the audit log. */
public final class AuditVerticle extends ResourceVerticle {
  private static final String SELECT = """
      SELECT l.id, l.timestamp, l.actor_type, l.actor_id, l.action, l.resource_type, l.resource_id, l.details,
             l.ip_address, l.user_agent, l.created_at,
             CASE l.actor_type WHEN 'admin' THEN 'admin' WHEN 'system' THEN 'system'
                  WHEN 'agent' THEN (SELECT name FROM agents WHERE id = l.actor_id)
                  WHEN 'generator' THEN (SELECT name FROM generators WHERE id = l.actor_id) END AS actor_name,
             count(*) OVER () AS total
        FROM audit_logs l""";

  private final Pool pool;

  public AuditVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.AUDIT;
  }

  @Override
  protected void defineOperations() {
    on("list_audit_logs", this::list);
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Access.requireAdmin(req.caller());
    List<String> where = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    req.queryParam("actor_type").ifPresent(v -> condition(where, args, "l.actor_type = $", v));
    req.queryParam("actor_id").ifPresent(v -> condition(where, args, "l.actor_id = $", Fields.uuid(v, "actor_id", "invalid_query_parameter")));
    req.queryParam("action").ifPresent(v -> {
      if (v.endsWith("*")) {
        condition(where, args, "starts_with(l.action, $", v.substring(0, v.length() - 1));
        where.set(where.size() - 1, where.get(where.size() - 1) + ")");
      } else {
        condition(where, args, "l.action = $", v);
      }
    });
    req.queryParam("resource_type").ifPresent(v -> condition(where, args, "l.resource_type = $", v));
    req.queryParam("resource_id").ifPresent(v -> condition(where, args, "l.resource_id = $", Fields.uuid(v, "resource_id", "invalid_query_parameter")));
    req.queryParam("from").ifPresent(v -> condition(where, args, "l.timestamp >= $", time(v, "from")));
    req.queryParam("to").ifPresent(v -> condition(where, args, "l.timestamp < $", time(v, "to")));
    int limit = (int) Math.max(1, Math.min(1000, number(req.queryParam("limit").orElse(null), 100)));
    long offset = Math.max(0, number(req.queryParam("offset").orElse(null), 0));
    String sql = SELECT + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " ORDER BY l.timestamp DESC, l.id LIMIT " + limit + " OFFSET " + offset;
    return pool.preparedQuery(sql).execute(Tuple.from(args)).compose(rows -> {
      JsonArray logs = new JsonArray();
      long count = 0;
      long matching = -1;
      for (Row row : rows) {
        matching = row.getLong("total");
        JsonObject entry = Rows.json(row);
        entry.remove("total");
        if (entry.getValue("ip_address") == null) {
          entry.remove("ip_address");
        }
        if (entry.getValue("user_agent") == null) {
          entry.remove("user_agent");
        }
        logs.add(entry);
        count++;
      }
      long finalCount = count;
      Future<Long> totalFuture = matching >= 0 ? Future.succeededFuture(matching)
          : pool.preparedQuery("SELECT count(*) FROM audit_logs l" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)))
              .execute(Tuple.from(args)).map(r -> r.iterator().next().getLong(0));
      return totalFuture.map(all -> ApiResponse.ok(new JsonObject()
          .put("logs", logs).put("total", all).put("count", finalCount).put("limit", limit).put("offset", offset)));
    });
  }

  private static void condition(List<String> where, List<Object> args, String template, Object value) {
    args.add(value);
    where.add(template + args.size());
  }

  private static OffsetDateTime time(String raw, String field) {
    try {
      return OffsetDateTime.parse(raw);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid("invalid_query_parameter", field + " must be an RFC 3339 timestamp");
    }
  }

  private static long number(String raw, long fallback) {
    if (raw == null) {
      return fallback;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ApiError.invalid("invalid_query_parameter", "limit and offset must be integers");
    }
  }
}
