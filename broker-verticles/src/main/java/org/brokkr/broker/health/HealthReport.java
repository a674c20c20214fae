package org.brokkr.broker.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/**
 * One validated {@code PATCH /agents/{id}/health-status} batch. Validation is all or nothing:
 * the first bad entry refuses the whole batch (422 {@code invalid_health_record}, naming the
 * entry), so a refused batch stores nothing. Summaries are kept as the JSON text of their known
 * fields, in a fixed order.
 */
public record HealthReport(List<Entry> entries) {
  static final String CODE = "invalid_health_record";
  /** Largest batch accepted (an agent reports each object it applied once per check). */
  static final int MAX_ENTRIES = 10_000;

  /** One deployment object's health as reported. */
  public record Entry(UUID objectId, String status, String summary, OffsetDateTime checkedAt) {}

  public static HealthReport of(JsonObject body) {
    if (!(body.getValue("deployment_objects") instanceof JsonArray list)) {
      throw invalid("deployment_objects must be an array");
    }
    if (list.size() > MAX_ENTRIES) {
      throw invalid("a batch holds at most " + MAX_ENTRIES + " entries");
    }
    List<Entry> entries = new ArrayList<>(list.size());
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "deployment_objects[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject item)) {
        throw invalid(at + " must be an object");
      }
      UUID id = uuid(item.getValue("id"), at + ".id");
      if (!seen.add(id)) {
        throw invalid(at + ".id repeats an earlier entry of the batch");
      }
      Object status = item.getValue("status");
      if (!(status instanceof String s) || !HealthStatus.isValid(s)) {
        throw invalid(at + ".status must be one of " + String.join(", ", HealthStatus.ALL));
      }
      entries.add(new Entry(id, (String) status, HealthSummaryText.of(item.getValue("summary"), at + ".summary"),
          timestamp(item.getValue("checked_at"), at + ".checked_at")));
    }
    return new HealthReport(List.copyOf(entries));
  }

  public List<UUID> objectIds() {
    return entries.stream().map(Entry::objectId).toList();
  }

  static ApiError invalid(String message) {
    return new ApiError(Failure.UNPROCESSABLE, CODE, message);
  }

  private static UUID uuid(Object raw, String field) {
    if (raw instanceof String s) {
      try {
        return UUID.fromString(s);
      } catch (IllegalArgumentException e) {
        // fall through to the refusal
      }
    }
    throw invalid(field + " must be a UUID");
  }

  private static OffsetDateTime timestamp(Object raw, String field) {
    if (raw instanceof String s) {
      try {
        return OffsetDateTime.parse(s);
      } catch (DateTimeParseException e) {
        // fall through to the refusal
      }
    }
    throw invalid(field + " must be an RFC 3339 timestamp");
  }
}
