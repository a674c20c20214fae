package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which events a subscription receives: the reference's patterns and filters, case by case. */
class SubscriptionMatchTest {
  private static final String AGENT = UUID.randomUUID().toString();
  private static final String STACK = UUID.randomUUID().toString();

  private static boolean matches(List<String> patterns, String filters, String type, JsonObject data) {
    return SubscriptionMatch.of(patterns, filters).matches(type, data);
  }

  @Test
  void patterns() {
    JsonObject data = new JsonObject();
    assertTrue(matches(List.of("*"), null, "agent.registered", data));
    assertTrue(matches(List.of("*"), null, "anything", data));
    assertTrue(matches(List.of("deployment.*"), null, "deployment.applied", data));
    assertTrue(matches(List.of("deployment.*"), null, "deployment.x.y", data), "a prefix covers deeper types");
    assertFalse(matches(List.of("deployment.*"), null, "deploymentx.applied", data), "the prefix ends at a dot");
    assertFalse(matches(List.of("deployment.*"), null, "deployment", data));
    assertFalse(matches(List.of("agent.*"), null, "deployment.applied", data));
    assertTrue(matches(List.of("stack.deleted"), null, "stack.deleted", data));
    assertFalse(matches(List.of("stack.deleted"), null, "stack.created", data));
    assertFalse(matches(List.of("Stack.Deleted"), null, "stack.deleted", data), "exact means exact, case included");
    assertFalse(matches(List.of("stack*"), null, "stack.created", data), "only `.*` is a wildcard suffix");
    assertTrue(matches(List.of("x.y", "agent.*"), null, "agent.deregistered", data), "any pattern may match");
    assertFalse(matches(List.of(), null, "agent.registered", data));
  }

  @Test
  void filtersMustEqualTheEventsFields() {
    JsonObject both = new JsonObject().put("agent_id", AGENT).put("stack_id", STACK);
    String byAgent = new JsonObject().put("agent_id", AGENT).encode();
    String byStack = new JsonObject().put("stack_id", STACK).encode();
    String byBoth = new JsonObject().put("agent_id", AGENT).put("stack_id", STACK).encode();
    assertTrue(matches(List.of("*"), byAgent, "deployment.applied", both));
    assertTrue(matches(List.of("*"), byBoth, "deployment.applied", both));
    assertTrue(matches(List.of("*"), byAgent, "x", new JsonObject().put("agent_id", AGENT.toUpperCase())), "UUIDs compare as UUIDs");
    assertFalse(matches(List.of("*"), byAgent, "x", new JsonObject().put("agent_id", UUID.randomUUID().toString())));
    assertFalse(matches(List.of("*"), byBoth, "x", new JsonObject().put("agent_id", AGENT)), "every set filter must match");
    // an event without the field, with null, or with a non-UUID does not match
    assertFalse(matches(List.of("*"), byStack, "agent.registered", new JsonObject().put("agent_id", AGENT)));
    assertFalse(matches(List.of("*"), byStack, "x", new JsonObject().putNull("stack_id")));
    assertFalse(matches(List.of("*"), byStack, "x", new JsonObject().put("stack_id", "not-a-uuid")));
    assertFalse(matches(List.of("*"), byStack, "x", new JsonObject().put("stack_id", 7)));
    assertFalse(matches(List.of("*"), byStack, "x", null));
  }

  @Test
  void absentEmptyLegacyAndUnreadableFilters() {
    JsonObject data = new JsonObject().put("agent_id", AGENT);
    assertTrue(matches(List.of("*"), null, "x", data));
    assertTrue(matches(List.of("*"), "", "x", data));
    assertTrue(matches(List.of("*"), "  ", "x", data));
    assertTrue(matches(List.of("*"), "{}", "x", data));
    assertTrue(matches(List.of("*"), "{\"agent_id\":null}", "x", data));
    assertTrue(matches(List.of("*"), "{\"labels\":{\"env\":\"prod\"}}", "x", data), "a legacy labels key is ignored");
    assertFalse(matches(List.of("*"), "{not json", "x", data), "unreadable filters never match");
    assertFalse(matches(List.of("*"), "[]", "x", data));
    assertFalse(matches(List.of("*"), "{\"agent_id\":\"nope\"}", "x", data));
    assertFalse(matches(List.of("*"), "{\"agent_id\":5}", "x", data));
  }
}
