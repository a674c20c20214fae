package org.brokkr.broker.telemetry;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;

/** How long telemetry is kept: never more than the six-hour ceiling, and what history answers say of it. */
public final class TelemetryRetention {
  public static final long CEILING_SECONDS = 6 * 60 * 60;
  static final String LONG_TERM_SINK_HINT =
      "Brokkr retains telemetry for at most 6 hours. For long-term log centralisation, ship to Datadog or equivalent.";

  private TelemetryRetention() {}

  /** The retention in force for a configured value: at most the ceiling. */
  public static long effective(long configuredSeconds) {
    return Math.min(CEILING_SECONDS, Math.max(0, configuredSeconds));
  }

  /** The {@code RetentionInfo} of a history answer; {@code oldest} is the created_at of its last row, if any. */
  static JsonObject info(long effectiveSeconds, String oldest) {
    return new JsonObject()
        .put("retention_ceiling_seconds", CEILING_SECONDS)
        .put("effective_retention_seconds", effectiveSeconds)
        .put("oldest_available_ts", oldest)
        .put("long_term_sink_hint", LONG_TERM_SINK_HINT);
  }

  /** The earliest created_at a history may return: {@code since}, but not before the retained window. */
  static OffsetDateTime clampSince(OffsetDateTime since, OffsetDateTime now, long effectiveSeconds) {
    OffsetDateTime floor = now.minusSeconds(effectiveSeconds);
    return since == null || since.isBefore(floor) ? floor : since;
  }
}
