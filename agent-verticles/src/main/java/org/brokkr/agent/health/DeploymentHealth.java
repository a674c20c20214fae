package org.brokkr.agent.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The health of one deployment object's pods: {@code healthy}, {@code degraded}, {@code failing}
 * or {@code unknown}, with the summary the broker stores ({@code HealthSummary}).
 */
public record DeploymentHealth(String status, int podsReady, int podsTotal, List<String> conditions, List<Resource> resources) {
  public static final String HEALTHY = "healthy";
  public static final String DEGRADED = "degraded";
  public static final String FAILING = "failing";
  public static final String UNKNOWN = "unknown";

  /** One resource with a problem: {@code ResourceHealth}. */
  public record Resource(String kind, String name, String namespace, boolean ready, String message) {
    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("name", name).put("namespace", namespace).put("ready", ready)
          .put("message", message);
    }
  }

  /** Nothing could be found out (e.g. the pods could not be listed). */
  public static DeploymentHealth unknown() {
    return new DeploymentHealth(UNKNOWN, 0, 0, List.of(), List.of());
  }

  /** The {@code summary} of a health update. */
  public JsonObject summary() {
    JsonArray res = new JsonArray();
    resources.forEach(r -> res.add(r.toJson()));
    return new JsonObject().put("pods_ready", podsReady).put("pods_total", podsTotal)
        .put("conditions", new JsonArray(List.copyOf(conditions))).put("resources", res);
  }
}
