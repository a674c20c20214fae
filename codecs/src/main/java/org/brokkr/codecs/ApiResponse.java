package org.brokkr.codecs;

/**
 * The reply of a resource verticle: HTTP status and a body that is a Vert.x JSON value
 * ({@code JsonObject}, {@code JsonArray}), a raw string with its content type, or nothing.
 */
public record ApiResponse(int status, Object body, String contentType) {
  public static final String JSON = "application/json";

  public static ApiResponse ok(Object body) {
    return new ApiResponse(200, body, JSON);
  }

  public static ApiResponse created(Object body) {
    return new ApiResponse(201, body, JSON);
  }

  public static ApiResponse noContent() {
    return new ApiResponse(204, null, null);
  }

  public static ApiResponse emptyOk() {
    return new ApiResponse(200, null, null);
  }

  public static ApiResponse raw(int status, String body, String contentType) {
    return new ApiResponse(status, body, contentType);
  }
}
