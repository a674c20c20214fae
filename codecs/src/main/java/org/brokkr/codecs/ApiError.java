package org.brokkr.codecs;

import io.vertx.core.json.JsonObject;

/**
 * A request that cannot be served, with the stable error {@code code} of the wire
 * {@code ErrorResponse}. Thrown or failed by resource verticles; mapped to HTTP in one place.
 */
public final class ApiError extends RuntimeException {
  private final Failure failure;
  private final String code;
  private final JsonObject details;

  public ApiError(Failure failure, String code, String message) {
    this(failure, code, message, null);
  }

  public ApiError(Failure failure, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.failure = failure;
    this.code = code;
    this.details = details;
  }

  public Failure failure() {
    return failure;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  /** The {@code ErrorResponse} body: code, message and details when present. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code).put("message", getMessage());
    if (details != null) {
      json.put("details", details);
    }
    return json;
  }

  public static ApiError fromJson(Failure failure, String encoded) {
    try {
      JsonObject json = new JsonObject(encoded);
      return new ApiError(failure, json.getString("code", "internal_error"),
          json.getString("message", ""), json.getJsonObject("details"));
    } catch (RuntimeException e) {
      return new ApiError(failure, failure == Failure.INTERNAL ? "internal_error" : "error", encoded);
    }
  }

  public static ApiError forbidden(String code, String message) {
    return new ApiError(Failure.FORBIDDEN, code, message);
  }

  public static ApiError notFound(String code, String message) {
    return new ApiError(Failure.NOT_FOUND, code, message);
  }

  public static ApiError invalid(String code, String message) {
    return new ApiError(Failure.INVALID, code, message);
  }
}
