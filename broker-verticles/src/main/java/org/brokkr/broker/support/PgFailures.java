package org.brokkr.broker.support;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import io.vertx.pgclient.PgException;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/**
 * Maps database errors to the reference's generic error codes; a database that cannot be reached
 * (refused or lost connections, a server shutting down or refusing connections, a pool that
 * cannot hand out a connection) is a 503 {@code database_unavailable}, never a 500.
 */
public final class PgFailures {
  private PgFailures() {}

  public static ApiError toApiError(Throwable t) {
    if (t instanceof ApiError e) {
      return e;
    }
    if (isUnavailable(t)) {
      return Unavailable.database();
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
        default:
          if (state != null && state.startsWith("22")) {
            // data exceptions: bad encoding (NUL bytes), format or range of a submitted value
            return new ApiError(Failure.INVALID, "invalid_value", "a value has the wrong format, encoding or range");
          }
          break;
      }
    }
    return new ApiError(Failure.INTERNAL, "internal_error", "internal error");
  }

  /** True when the failure says the database is out of reach rather than that the request was wrong. */
  public static boolean isUnavailable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ClosedConnectionException || t instanceof ConnectException
          || t instanceof UnknownHostException || t instanceof ClosedChannelException
          || t instanceof NoRouteToHostException || t instanceof TimeoutException) {
        return true;
      }
      if (t instanceof PgException pg && unavailableState(pg.getSqlState(), pg.getMessage())) {
        return true;
      }
    }
    return false;
  }

  private static boolean unavailableState(String state, String message) {
    if (state == null) {
      return false;
    }
    // 08: connection exception; 57P01-03: server shutting down or starting; 53: out of resources
    // (too many connections); 28: the server refused our credentials; 3D000: database gone
    if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53") || state.startsWith("28")
        || state.equals("3D000")) {
      return true;
    }
    // ALTER DATABASE ... ALLOW_CONNECTIONS false
    return state.equals("55000") && message != null && message.contains("not currently accepting connections");
  }
}
