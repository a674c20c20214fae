package org.brokkr.broker.support;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/** Maps database errors to the reference's generic error codes. */
public final class PgFailures {
  private PgFailures() {}

  public static ApiError toApiError(Throwable t) {
    if (t instanceof ApiError e) {
      return e;
    }
    if (t instanceof PgException pg) {
      String state = pg.getSqlState();
      String constraint = pg.getConstraint();
      JsonObject details = constraint == null ? null : new JsonObject().put("constraint", constraint);
      switch (state == null ? "" : state) {
        case "23505":
          return new ApiError(Failure.CONFLICT, "unique_violation",
              "violates unique constraint `" + (constraint == null ? "?" : constraint) + "`", details);
        case "23503":
          return new ApiError(Failure.UNPROCESSABLE, "foreign_key_violation",
              "violates foreign key constraint `" + (constraint == null ? "?" : constraint) + "`", details);
        case "23514":
          return new ApiError(Failure.UNPROCESSABLE, "check_violation", "violates check constraint", details);
        case "23502":
          return new ApiError(Failure.UNPROCESSABLE, "not_null_violation", "a required value is missing", details);
        case "22001":
          return new ApiError(Failure.INVALID, "value_too_long", "a value is longer than its column allows");
        // 22021: a NUL character in a text value, which PostgreSQL cannot store
        case "22P02", "22007", "22008", "22003", "22021":
          return new ApiError(Failure.INVALID, "invalid_value", "a value has the wrong format or range");
        default:
          break;
      }
    }
    return new ApiError(Failure.INTERNAL, "internal_error", "internal error");
  }
}
