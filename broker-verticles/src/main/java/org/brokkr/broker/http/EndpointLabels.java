package org.brokkr.broker.http;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code endpoint} of an operation in metrics and request logs: its route template under
 * {@code /api/v1}, with path parameters written as the reference writes identifiers, e.g.
 * {@code /api/v1/agents/:id/target-state}. Identifier parameters ({@code id}, {@code *_id}) all
 * read {@code :id}, as in the reference; others keep their name ({@code :label}, {@code :key}).
 * Never a raw path: a label value is a template from the contract, so the set of values is fixed.
 */
final class EndpointLabels {
  /** Requests that matched no operation (unknown paths, methods, refused before routing). */
  static final String UNMATCHED = "unmatched";
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  private final Map<String, String> byOperation;

  private EndpointLabels(Map<String, String> byOperation) {
    this.byOperation = Map.copyOf(byOperation);
  }

  static EndpointLabels from(JsonObject contract) {
    Map<String, String> out = new HashMap<>();
    JsonObject paths = contract.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && op.getString("operationId") != null) {
          out.put(op.getString("operationId"), "/api/v1" + template(path));
        }
      }
    }
    return new EndpointLabels(out);
  }

  static String template(String openApiPath) {
    Matcher m = PARAM.matcher(openApiPath);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      m.appendReplacement(out, Matcher.quoteReplacement(name.equals("id") || name.endsWith("_id") ? ":id" : ":" + name));
    }
    m.appendTail(out);
    return out.toString();
  }

  String of(String operationId) {
    return byOperation.getOrDefault(operationId, UNMATCHED);
  }
}
