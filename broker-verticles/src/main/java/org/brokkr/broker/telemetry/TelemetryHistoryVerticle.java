package org.brokkr.broker.telemetry;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.brokkr.broker.stacks.StackAccess;
import org.brokkr.broker.stacks.StackRepository;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;

/**
 * {@code GET /stacks/{id}/events} and {@code GET /stacks/{id}/logs}: a stack's retained telemetry,
 * newest first by the server's {@code created_at}, for admin or the stack's generator (404 for a
 * stack that does not exist, before 403). Only the retained window can be read.
 */
public final class TelemetryHistoryVerticle extends ResourceVerticle {
  static final int DEFAULT_LIMIT = 500;
  static final int MAX_LIMIT = 5000;
  private static final String EVENTS = """
      SELECT id, agent_id, stack_id, observed_at, reason, message, event_type, source, involved_object, created_at
        FROM agent_k8s_events WHERE stack_id = $1 AND created_at >= $2
       ORDER BY created_at DESC, id LIMIT $3""";
  private static final String LOGS = """
      SELECT id, agent_id, stack_id, namespace, pod, container, ts, line, created_at
        FROM agent_pod_logs WHERE stack_id = $1 AND created_at >= $2
       ORDER BY created_at DESC, id LIMIT $3""";

  private final Pool pool;
  private final long retentionSeconds;
  private final StackAccess stacks = new StackAccess(new StackRepository());

  public TelemetryHistoryVerticle(Pool pool, long retentionSeconds) {
    this.pool = pool;
    this.retentionSeconds = TelemetryRetention.effective(retentionSeconds);
  }

  @Override
  public String address() {
    return Addresses.TELEMETRY;
  }

  @Override
  protected void defineOperations() {
    on("list_telemetry_events", req -> history(req, EVENTS, "events"));
    on("list_telemetry_logs", req -> history(req, LOGS, "lines"));
  }

  private Future<ApiResponse> history(ApiRequest req, String statement, String key) {
    UUID stackId = req.pathId("id");
    OffsetDateTime requested = req.queryParam("since").map(TelemetryHistoryVerticle::since).orElse(null);
    int limit = limit(req.queryParam("limit").orElse(null));
    OffsetDateTime since = TelemetryRetention.clampSince(requested, OffsetDateTime.now(ZoneOffset.UTC), retentionSeconds);
    return stacks.owned(pool, req.caller(), stackId)
        .compose(stack -> pool.preparedQuery(statement).execute(Tuple.of(stackId, since, limit)))
        .map(rows -> {
          JsonArray out = Rows.jsonArray(rows);
          String oldest = out.isEmpty() ? null : out.getJsonObject(out.size() - 1).getString("created_at");
          return ApiResponse.ok(new JsonObject()
              .put("retention", TelemetryRetention.info(retentionSeconds, oldest))
              .put(key, out));
        });
  }

  private static OffsetDateTime since(String raw) {
    try {
      return OffsetDateTime.parse(raw);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid("invalid_query_parameter", "since must be an RFC 3339 timestamp");
    }
  }

  private static int limit(String raw) {
    if (raw == null || raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    long n;
    try {
      n = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw ApiError.invalid("invalid_query_parameter", "limit must be an integer");
    }
    return (int) Math.max(1, Math.min(MAX_LIMIT, n));
  }
}
