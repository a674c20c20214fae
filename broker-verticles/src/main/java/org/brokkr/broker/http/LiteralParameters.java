package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands the contract validator each parameter exactly as the handlers read it. The stock extractor
 * of vertx-openapi 5.0.7 decodes query values a second time (a literal {@code %} fails, {@code +}
 * turns into a space) and parses string values as JSON, so the label {@code 1.5} is seen as a
 * number and {@code a"b} as undecodable. A string-typed value is passed here as a JSON string
 * literal, which the validator decodes back to the very text the client sent.
 */
final class LiteralParameters implements RequestExtractor {

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> cookies = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      String name = p.getName();
      switch (p.getIn()) {
        case PATH -> path.put(name, value(p, ctx.pathParam(name)));
        case QUERY -> query.put(name, value(p, ctx.queryParams().get(name)));
        case HEADER -> headers.put(name, value(p, ctx.request().getHeader(name)));
        case COOKIE -> {
          Cookie cookie = ctx.request().getCookie(name);
          cookies.put(name, value(p, cookie == null ? null : cookie.getValue()));
        }
        default -> throw new IllegalStateException("unknown parameter location " + p.getIn());
      }
    }
    Object body = operation.getRequestBody() == null || ctx.body() == null ? null : ctx.body().buffer();
    return Future.succeededFuture(new Request(cookies, headers, path, query, () -> body,
        ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)));
  }

  private static RequestParameter value(Parameter parameter, String raw) {
    Object value = raw != null && parameter.getSchemaType() == SchemaType.STRING ? Json.encode(raw) : raw;
    return () -> value;
  }

  private record Request(Map<String, RequestParameter> cookies, Map<String, RequestParameter> headers,
      Map<String, RequestParameter> path, Map<String, RequestParameter> query, RequestParameter body,
      String contentType) implements ValidatableRequest {

    @Override
    public Map<String, RequestParameter> getCookies() {
      return cookies;
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return headers;
    }

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return path;
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return query;
    }

    @Override
    public RequestParameter getBody() {
      return body;
    }

    @Override
    public String getContentType() {
      return contentType;
    }
  }
}
