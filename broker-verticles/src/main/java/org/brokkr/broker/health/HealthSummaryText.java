package org.brokkr.broker.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A reported {@code HealthSummary} checked and re-encoded as the JSON text stored in
 * {@code deployment_health.summary}: {@code pods_ready}, {@code pods_total}, {@code conditions}
 * and, when given, {@code resources} (each {@code kind, name, namespace, ready} and an optional
 * {@code message}). Unknown fields are dropped.
 */
final class HealthSummaryText {
  private HealthSummaryText() {}

  /** The stored text, or null when no summary was reported. */
  static String of(Object raw, String field) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonObject in)) {
      throw HealthReport.invalid(field + " must be an object or null");
    }
    JsonObject out = new JsonObject()
        .put("pods_ready", count(in.getValue("pods_ready"), field + ".pods_ready"))
        .put("pods_total", count(in.getValue("pods_total"), field + ".pods_total"))
        .put("conditions", strings(in.getValue("conditions"), field + ".conditions"));
    Object resources = in.getValue("resources");
    if (resources != null) {
      out.put("resources", resources(resources, field + ".resources"));
    }
    return out.encode();
  }

  private static int count(Object raw, String field) {
    if ((raw instanceof Integer || raw instanceof Long) && ((Number) raw).longValue() >= 0
        && ((Number) raw).longValue() <= Integer.MAX_VALUE) {
      return ((Number) raw).intValue();
    }
    throw HealthReport.invalid(field + " must be a whole number from 0 to " + Integer.MAX_VALUE);
  }

  private static JsonArray strings(Object raw, String field) {
    if (!(raw instanceof JsonArray list)) {
      throw HealthReport.invalid(field + " must be an array of strings");
    }
    for (Object item : list) {
      if (!(item instanceof String)) {
        throw HealthReport.invalid(field + " must be an array of strings");
      }
    }
    return list;
  }

  private static JsonArray resources(Object raw, String field) {
    if (!(raw instanceof JsonArray list)) {
      throw HealthReport.invalid(field + " must be an array or null");
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      String at = field + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject r)) {
        throw HealthReport.invalid(at + " must be an object");
      }
      JsonObject resource = new JsonObject()
          .put("kind", text(r.getValue("kind"), at + ".kind"))
          .put("name", text(r.getValue("name"), at + ".name"))
          .put("namespace", text(r.getValue("namespace"), at + ".namespace"));
      if (!(r.getValue("ready") instanceof Boolean ready)) {
        throw HealthReport.invalid(at + ".ready must be a boolean");
      }
      resource.put("ready", ready);
      Object message = r.getValue("message");
      if (message != null) {
        resource.put("message", text(message, at + ".message"));
      }
      out.add(resource);
    }
    return out;
  }

  private static String text(Object raw, String field) {
    if (!(raw instanceof String s)) {
      throw HealthReport.invalid(field + " must be a string");
    }
    return s;
  }
}
