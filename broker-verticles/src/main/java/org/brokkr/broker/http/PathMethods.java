package org.brokkr.broker.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

  private record Template(Pattern path, int parameters, List<String> methods) {}

  private final List<Template> templates;

  PathMethods(JsonObject contract) {
    String base = basePath(contract);
    List<Template> found = new ArrayList<>();
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      List<String> methods = METHODS.stream().filter(m -> item.getValue(m) instanceof JsonObject)
          .map(m -> m.toUpperCase(Locale.ROOT)).toList();
      if (!methods.isEmpty()) {
        found.add(new Template(pattern(base + path), (int) path.chars().filter(c -> c == '{').count(), methods));
      }
    }
    // a literal segment wins over a parameter, as OpenAPI path matching says
    found.sort(Comparator.comparingInt(Template::parameters));
    templates = List.copyOf(found);
  }

  /** The methods declared for this request path, or empty when the contract has no such path. */
  Optional<List<String>> allowed(String requestPath) {
    return templates.stream().filter(t -> t.path().matcher(requestPath).matches()).findFirst().map(Template::methods);
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
