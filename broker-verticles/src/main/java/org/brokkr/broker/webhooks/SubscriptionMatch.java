package org.brokkr.broker.webhooks;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * Which events a subscription receives, as the reference decides it. An event type matches a
 * pattern that is {@code *}, a {@code <prefix>.*} whose prefix is followed by a dot in the type, or
 * the type itself. Then every filter that is set ({@code agent_id}, {@code stack_id}) must equal the
 * same-named UUID in the event's {@code data}: a missing key, a null or a non-UUID value does not
 * match. Filters that are absent, blank or {@code {}} pass; unreadable filters never match; keys
 * other than the two (a legacy {@code labels}) are ignored.
 */
public final class SubscriptionMatch {
  private final List<String> patterns;
  private final UUID agentId;
  private final UUID stackId;
  private final boolean unreadable;

  private SubscriptionMatch(List<String> patterns, UUID agentId, UUID stackId, boolean unreadable) {
    this.patterns = patterns;
    this.agentId = agentId;
    this.stackId = stackId;
    this.unreadable = unreadable;
  }

  /** The rule of one stored subscription: its patterns and its filters text (may be null). */
  public static SubscriptionMatch of(List<String> patterns, String filters) {
    if (filters == null || filters.isBlank()) {
      return new SubscriptionMatch(patterns, null, null, false);
    }
    try {
      if (!(io.vertx.core.json.Json.decodeValue(filters) instanceof JsonObject json)) {
        return new SubscriptionMatch(patterns, null, null, true);
      }
      return new SubscriptionMatch(patterns, uuid(json.getValue("agent_id")), uuid(json.getValue("stack_id")), false);
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      return new SubscriptionMatch(patterns, null, null, true);
    }
  }

  /** A stored filter value: absent or null is "no filter"; anything else must be a UUID string. */
  private static UUID uuid(Object value) {
    if (value == null) {
      return null;
    }
    return UUID.fromString((String) value);
  }

  public boolean matches(String eventType, JsonObject data) {
    if (unreadable || patterns.stream().noneMatch(p -> patternMatches(p, eventType))) {
      return false;
    }
    return carries(data, "agent_id", agentId) && carries(data, "stack_id", stackId);
  }

  public static boolean patternMatches(String pattern, String eventType) {
    if (pattern == null) {
      return false;
    }
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.endsWith(".*")) {
      return eventType.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(eventType);
  }

  private static boolean carries(JsonObject data, String field, UUID expected) {
    if (expected == null) {
      return true;
    }
    if (data == null || !(data.getValue(field) instanceof String raw)) {
      return false;
    }
    try {
      return UUID.fromString(raw).equals(expected);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
