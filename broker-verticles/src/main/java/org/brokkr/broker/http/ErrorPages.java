package org.brokkr.broker.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure the router produces (authentication, contract validation, body limits, unknown
 * routes) becomes a JSON ErrorResponse with a stable code: never an empty body or a stack trace.
 */
final class ErrorPages {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorPages.class);

  private final Vertx vertx;
  private final ClientInfo clients;

  ErrorPages(Vertx vertx, ClientInfo clients) {
    this.vertx = vertx;
    this.clients = clients;
  }

  void handle(RoutingContext ctx) {
    handle(ctx, null);
  }

  /**
   * As {@link #handle(RoutingContext)}, with the operation's own answer to a request body the
   * contract refuses (its {@code x-brokkr-body-error}: status and code), when it declares one.
   */
  void handle(RoutingContext ctx, BodyError bodyError) {
    if (ctx.response().ended()) {
      return;
    }
    Throwable failure = ctx.failure();
    ValidatorException refusedBody = bodyError == null ? null : refusedBody(failure);
    if (refusedBody != null) {
      ApiError error = new ApiError(bodyError.failure(), bodyError.code(), refusedBody.getMessage());
      FailureLog.refused(LOG, "request path=" + ctx.request().path(), error.failure().httpStatus(), error.code());
      ApiDispatcher.writeError(ctx, error);
      return;
    }
    int status = ctx.statusCode();
    if (failure instanceof HttpException he) {
      status = he.getStatusCode();
    } else if (failure instanceof ValidatorException) {
      status = 400;
    }
    if (status == 400 && isUnsupportedBodyFormat(failure)) {
      status = 415;
    }
    if (status < 400) {
      status = 500;
    }
    ApiError known = carried(failure);
    if (known != null) {
      // e.g. the PAK lookup could not reach the database: the auth handler reports it as a 401
      status = known.failure().httpStatus();
    }
    if (status == 401) {
      recordAuthFailure(ctx);
    }
    ApiError error = known != null ? known : switch (status) {
      case 400 -> ApiError.invalid("invalid_request", validationMessage(failure));
      case 401 -> new ApiError(Failure.UNAUTHORIZED, "unauthorized", "a valid PAK is required");
      case 403 -> new ApiError(Failure.FORBIDDEN, "forbidden", "access denied");
      case 404 -> new ApiError(Failure.NOT_FOUND, "not_found", "not found");
      case 405 -> new ApiError(Failure.METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed");
      case 413 -> new ApiError(Failure.TOO_LARGE, "payload_too_large", "request body exceeds the configured limit");
      case 415 -> new ApiError(Failure.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "unsupported Content-Type");
      case 503 -> new ApiError(Failure.UNAVAILABLE, "service_unavailable", "service unavailable");
      default -> status >= 500
          ? new ApiError(Failure.INTERNAL, "internal_error", "internal error")
          : ApiError.invalid("invalid_request", validationMessage(failure));
    };
    // the route template, never the raw path: a path may carry anything a client typed, a PAK too
    String path = RequestLog.endpointOf(ctx);
    if (error.failure() == Failure.UNAVAILABLE) {
      LOG.warn("request refused path={} status=503 code={}", path, error.code());
    } else if (status >= 500 && failure != null) {
      FailureLog.unexpected(LOG, "request path=" + path + " status=" + status, failure);
    } else if (status < 500) {
      FailureLog.refused(LOG, "request path=" + path, status, error.code());
    }
    ApiDispatcher.writeError(ctx, error);
  }

  private void recordAuthFailure(RoutingContext ctx) {
    if (ctx.request().getHeader("Authorization") == null) {
      return;
    }
    vertx.eventBus().send(Addresses.AUDIT_AUTH_FAILED, new JsonObject()
        .put("path", ClientInfo.path(ctx.request()))
        .put("ip_address", clients.address(ctx.request()))
        .put("user_agent", ClientInfo.userAgent(ctx.request())));
  }

  /**
   * The contract schema's refusal of a request body somewhere in the failure's causes, or null
   * (a body that is not JSON at all stays a generic 400).
   */
  private static ValidatorException refusedBody(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SchemaValidationException ve && ve.getMessage() != null && ve.getMessage().contains("request body")) {
        return ve;
      }
    }
    return null;
  }

  /** An operation's status and code for a request body its contract schema refuses. */
  record BodyError(Failure failure, String code) {
    static final String EXTENSION = "x-brokkr-body-error";

    /** The operation's declaration, or null when it has none (the generic 400 {@code invalid_request} applies). */
    static BodyError of(java.util.Map<String, Object> extensions) {
      Object raw = extensions.get(EXTENSION);
      if (raw instanceof java.util.Map<?, ?> map) {
        @SuppressWarnings("unchecked")
        JsonObject wrapped = new JsonObject((java.util.Map<String, Object>) map);
        raw = wrapped;
      }
      if (!(raw instanceof JsonObject declared)) {
        return null;
      }
      int status = declared.getInteger("status", 400);
      for (Failure f : Failure.values()) {
        if (f.httpStatus() == status) {
          return new BodyError(f, declared.getString("code"));
        }
      }
      throw new IllegalStateException(EXTENSION + ": no failure class answers with status " + status);
    }
  }

  /** An ApiError somewhere in the failure's causes (the handlers wrap what our provider failed with). */
  private static ApiError carried(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ApiError e) {
        return e;
      }
    }
    return null;
  }

  /** The validator's word for a body whose Content-Type the operation does not accept. */
  private static boolean isUnsupportedBodyFormat(Throwable failure) {
    Throwable t = failure instanceof HttpException he && he.getCause() != null ? he.getCause() : failure;
    return t instanceof ValidatorException ve && ve.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT;
  }

  private static String validationMessage(Throwable failure) {
    Throwable t = failure;
    if (t instanceof HttpException he && he.getCause() != null) {
      t = he.getCause();
    }
    if (t instanceof ValidatorException ve) {
      return ve.getMessage();
    }
    return t == null || t.getMessage() == null ? "bad request" : t.getMessage();
  }
}
