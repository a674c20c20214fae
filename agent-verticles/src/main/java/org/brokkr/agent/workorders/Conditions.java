package org.brokkr.agent.workorders;

import java.util.List;
import java.util.Map;

/** The {@code status.conditions} of an object, read by type. */
record Conditions(List<Map<?, ?>> items) {
  static Conditions of(Map<String, Object> status) {
    return new Conditions(status.get("conditions") instanceof List<?> list
        ? list.stream().filter(Map.class::isInstance).<Map<?, ?>>map(m -> (Map<?, ?>) m).toList() : List.of());
  }

  /** The condition's status ({@code True}, {@code False}, {@code Unknown}); null when the condition is absent. */
  String status(String type) {
    Map<?, ?> c = find(type);
    return c == null ? null : text(c.get("status"));
  }

  boolean isTrue(String type) {
    return "True".equals(status(type));
  }

  String reason(String type, String otherwise) {
    Map<?, ?> c = find(type);
    String reason = c == null ? null : text(c.get("reason"));
    return reason == null || reason.isBlank() ? otherwise : reason;
  }

  String message(String type, String otherwise) {
    Map<?, ?> c = find(type);
    String message = c == null ? null : text(c.get("message"));
    return message == null || message.isBlank() ? otherwise : message;
  }

  private Map<?, ?> find(String type) {
    return items.stream().filter(c -> type.equals(c.get("type"))).findFirst().orElse(null);
  }

  private static String text(Object value) {
    return value instanceof String s ? s : null;
  }
}
