package org.brokkr.codecs;

/**
 * The reply of a resource verticle: HTTP status and a body that is a Vert.x JSON value
 * ({@code JsonObject}, {@code JsonArray}), a raw string with its content type, or nothing; and
 * the entity tag of the body when the operation supports conditional requests.
 */
public record ApiResponse(int status, Object body, String contentType, String etag) {
  public static final String JSON = "application/json";

  public ApiResponse(int status, Object body, String contentType) {
    this(status, body, contentType, null);
  }

  public ApiResponse withEtag(String tag) {
    return new ApiResponse(status, body, contentType, tag);
  }

  /** 304: the client's copy (entity tag {@code tag}) is current. */
  public static ApiResponse notModified(String tag) {
    return new ApiResponse(304, null, null, tag);
  }

  public static ApiResponse ok(Object body) {
    return new ApiResponse(200, body, JSON);
  }

  public static ApiResponse created(Object body) {
    return new ApiResponse(201, body, JSON);
  }

  public static ApiResponse noContent() {
    return new ApiResponse(204, null, null);
  }

  /** A body already encoded (sent as is, never copied per request). */
  public static ApiResponse raw(int status, io.vertx.core.buffer.Buffer body, String contentType) {
    return new ApiResponse(status, body, contentType, null);
  }

  public static ApiResponse raw(int status, String body, String contentType) {
    return new ApiResponse(status, body, contentType);
  }
}
