package org.brokkr.codecs;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One validated HTTP API call handed from the HTTP verticle to the resource verticle that owns
 * the operation. Path and query values are raw strings; the owner parses them.
 */
public record ApiRequest(
    String operation,
    Identity caller,
    Map<String, String> path,
    Map<String, String> query,
    Buffer body,
    String contentType,
    String accept,
    String remoteAddress,
    String userAgent,
    String ifNoneMatch) {

  public String pathParam(String name) {
    return path.get(name);
  }

  /** A UUID path parameter (the contract has validated its shape). */
  public UUID pathId(String name) {
    try {
      return UUID.fromString(path.get(name));
    } catch (RuntimeException e) {
      throw new ApiError(Failure.INVALID, "invalid_path_parameter", "path parameter '" + name + "' is not a UUID");
    }
  }

  public Optional<String> queryParam(String name) {
    return Optional.ofNullable(query.get(name));
  }

  public boolean hasBody() {
    return body != null && body.length() > 0;
  }

  /** The body decoded as JSON (object, array, string, number, boolean) or a 400. */
  public Object jsonBody(String errorCode) {
    if (!hasBody()) {
      throw new ApiError(Failure.INVALID, errorCode, "request body is required");
    }
    try {
      return Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new ApiError(Failure.INVALID, errorCode, "invalid JSON body");
    }
  }

  public io.vertx.core.json.JsonObject jsonObjectBody(String errorCode) {
    Object value = jsonBody(errorCode);
    if (value instanceof io.vertx.core.json.JsonObject obj) {
      return obj;
    }
    throw new ApiError(Failure.INVALID, errorCode, "request body must be a JSON object");
  }
}
