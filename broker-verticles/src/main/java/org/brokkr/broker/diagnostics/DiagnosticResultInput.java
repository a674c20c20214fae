package org.brokkr.broker.diagnostics;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.brokkr.codecs.ApiError;

/**
 * A submitted diagnostic result: the reference's body ({@code pod_statuses}, {@code events},
 * {@code log_tails}, {@code collected_at}) plus an optional {@code error}, set by an agent whose
 * collection failed. A result with an error ends the request as {@code failed}.
 */
public record DiagnosticResultInput(String podStatuses, String events, String logTails, OffsetDateTime collectedAt,
    String error) {
  static final String CODE = "invalid_diagnostic_result";
  /** Longest error text kept; longer texts are refused rather than silently cut. */
  static final int MAX_ERROR_CHARS = 4096;

  public static DiagnosticResultInput of(JsonObject body) {
    String podStatuses = nonEmpty(body.getValue("pod_statuses"), "pod_statuses");
    String events = nonEmpty(body.getValue("events"), "events");
    Object logTails = body.getValue("log_tails");
    if (logTails != null && !(logTails instanceof String)) {
      throw ApiError.invalid(CODE, "log_tails must be a string or null");
    }
    Object error = body.getValue("error");
    if (error != null) {
      if (!(error instanceof String e) || e.isBlank()) {
        throw ApiError.invalid(CODE, "error must be a non-empty string or null");
      }
      if (e.length() > MAX_ERROR_CHARS) {
        throw ApiError.invalid(CODE, "error cannot be longer than " + MAX_ERROR_CHARS + " characters");
      }
    }
    return new DiagnosticResultInput(podStatuses, events, (String) logTails, timestamp(body.getValue("collected_at")),
        (String) error);
  }

  public boolean failed() {
    return error != null;
  }

  private static String nonEmpty(Object raw, String field) {
    if (!(raw instanceof String s) || s.isEmpty()) {
      throw ApiError.invalid(CODE, field + " must be a non-empty string");
    }
    return s;
  }

  private static OffsetDateTime timestamp(Object raw) {
    if (!(raw instanceof String s)) {
      throw ApiError.invalid(CODE, "collected_at must be an RFC 3339 timestamp");
    }
    try {
      return OffsetDateTime.parse(s);
    } catch (DateTimeParseException e) {
      throw ApiError.invalid(CODE, "collected_at must be an RFC 3339 timestamp");
    }
  }
}
