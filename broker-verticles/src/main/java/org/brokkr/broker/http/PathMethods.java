package org.brokkr.broker.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/**
 * The methods {@code openapi.yaml} declares for each of its paths. A request on one of those paths
 * with a method the contract does not list is answered 405 with an {@code Allow} header; a path
 * the contract does not know is left to the router (and so to 404). Paths match exactly, trailing
 * slash included: {@code /agents/} (search) allows GET only, whereas Vert.x would route a POST
 * there to {@code create_agent}. HEAD is not listed: the router does not serve it.
 */
final class PathMethods {
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /**
   * One declared path, split at '/': a null segment is a parameter (any non-empty text without a
   * slash); {@code fallback} is set only for a path with a parameter inside a segment.
   */
  private record Template(String[] segments, Pattern fallback, int parameters, List<String> methods) {
    boolean matches(String[] request, String path) {
      if (fallback != null) {
        return fallback.matcher(path).matches();
      }
      for (int i = 0; i < segments.length; i++) {
        if (segments[i] == null ? request[i].isEmpty() : !segments[i].equals(request[i])) {
          return false;
        }
      }
      return true;
    }
  }

  // by segment count: every request is compared with a few templates, segment by segment, on
  // every event loop for every API call, so no regular expression runs on this path
  private final Map<Integer, List<Template>> templates;
  private final List<Template> fallbacks;

  PathMethods(JsonObject contract) {
    String base = basePath(contract);
    List<Template> found = new ArrayList<>();
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      List<String> methods = METHODS.stream().filter(m -> item.getValue(m) instanceof JsonObject)
          .map(m -> m.toUpperCase(Locale.ROOT)).toList();
      if (!methods.isEmpty()) {
        found.add(template(base + path, (int) path.chars().filter(c -> c == '{').count(), methods));
      }
    }
    // a literal segment wins over a parameter, as OpenAPI path matching says
    found.sort(Comparator.comparingInt(Template::parameters));
    Map<Integer, List<Template>> bySize = new HashMap<>();
    for (Template t : found) {
      if (t.fallback() == null) {
        bySize.computeIfAbsent(t.segments().length, n -> new ArrayList<>()).add(t);
      }
    }
    bySize.replaceAll((n, list) -> List.copyOf(list));
    templates = Map.copyOf(bySize);
    fallbacks = found.stream().filter(t -> t.fallback() != null).toList();
  }

  /** The methods declared for this request path, or empty when the contract has no such path. */
  Optional<List<String>> allowed(String requestPath) {
    String[] request = requestPath.split("/", -1);
    for (Template t : templates.getOrDefault(request.length, List.of())) {
      if (t.matches(request, requestPath)) {
        return Optional.of(t.methods());
      }
    }
    for (Template t : fallbacks) {
      if (t.matches(request, requestPath)) {
        return Optional.of(t.methods());
      }
    }
    return Optional.empty();
  }

  private static Template template(String path, int parameters, List<String> methods) {
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.startsWith("{") && segment.endsWith("}") && segment.indexOf('{', 1) < 0) {
        segments[i] = null;
      } else if (segment.indexOf('{') >= 0) {
        return new Template(null, pattern(path), parameters, methods);
      }
    }
    return new Template(segments, null, parameters, methods);
  }

  /** Answers 405 for an undeclared method on a declared path; anything else goes on. */
  void handle(RoutingContext ctx) {
    String method = ctx.request().method().name();
    Optional<List<String>> allowed = allowed(ctx.normalizedPath());
    if (allowed.isEmpty() || allowed.get().contains(method)) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("Allow", String.join(", ", allowed.get()));
    ApiDispatcher.writeError(ctx, new ApiError(Failure.METHOD_NOT_ALLOWED, "method_not_allowed",
        method + " is not allowed here; allowed: " + String.join(", ", allowed.get())));
  }

  private static String basePath(JsonObject contract) {
    JsonArray servers = contract.getJsonArray("servers", new JsonArray());
    if (servers.isEmpty()) {
      return "";
    }
    String path = URI.create(servers.getJsonObject(0).getString("url", "")).getPath();
    return path == null || path.equals("/") ? "" : path.replaceAll("/+$", "");
  }

  private static Pattern pattern(String template) {
    StringBuilder regex = new StringBuilder();
    int at = 0;
    while (at < template.length()) {
      int open = template.indexOf('{', at);
      if (open < 0) {
        regex.append(Pattern.quote(template.substring(at)));
        break;
      }
      regex.append(Pattern.quote(template.substring(at, open))).append("[^/]+");
      at = template.indexOf('}', open) + 1;
    }
    return Pattern.compile(regex.toString());
  }
}
