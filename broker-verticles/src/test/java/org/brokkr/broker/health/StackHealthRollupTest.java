package org.brokkr.broker.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The roll-up rule (failing, then degraded, then healthy, else unknown), alone and through the stack view. */
class StackHealthRollupTest {
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void theRuleTakesTheWorstStatusAndUnknownOnlyWhenNothingElse() {
    assertEquals("unknown", HealthStatus.worst(List.of()));
    assertEquals("unknown", HealthStatus.worst(List.of("unknown", "unknown")));
    assertEquals("healthy", HealthStatus.worst(List.of("unknown", "healthy")));
    assertEquals("degraded", HealthStatus.worst(List.of("healthy", "degraded", "unknown")));
    assertEquals("failing", HealthStatus.worst(List.of("healthy", "degraded", "failing")));
    assertEquals("failing", HealthStatus.worst(Set.of("failing")));
  }

  @Test
  void aStackRollsUpItsObjectsByAgentCounts() {
    var gen = fx.generator();
    var agents = List.of(fx.agent(List.of(gen.id())), fx.agent(List.of(gen.id())), fx.agent(List.of(gen.id())));
    String stack = fx.stack(gen);
    for (var a : agents) {
      assertEquals(201, broker.admin().post("/agents/" + a.id() + "/targets",
          new JsonObject().put("agent_id", a.id()).put("stack_id", stack)).statusCode());
    }
    String allHealthy = fx.deploymentObject(gen, stack, Fixtures.configMap("h")).getString("id");
    String mixed = fx.deploymentObject(gen, stack, Fixtures.configMap("m")).getString("id");
    String onlyUnknown = fx.deploymentObject(gen, stack, Fixtures.configMap("u")).getString("id");
    fx.deploymentObject(gen, stack, Fixtures.configMap("none"));

    JsonObject empty = stackHealth(stack);
    assertEquals("unknown", empty.getString("overall_status"), "no health records: unknown");
    assertEquals(0, empty.getJsonArray("deployment_objects").size());

    report(agents.get(0), allHealthy, "healthy");
    report(agents.get(1), allHealthy, "healthy");
    report(agents.get(0), mixed, "healthy");
    report(agents.get(1), mixed, "degraded");
    report(agents.get(2), mixed, "unknown");
    report(agents.get(0), onlyUnknown, "unknown");

    JsonObject health = stackHealth(stack);
    assertEquals(stack, health.getString("stack_id"));
    assertEquals("degraded", health.getString("overall_status"));
    Map<String, JsonObject> byObject = summaries(health);
    assertEquals(Set.of(allHealthy, mixed, onlyUnknown), byObject.keySet(), "only objects with health records appear");
    assertEquals(counts("healthy", 2, 0, 0), withoutId(byObject.get(allHealthy)));
    assertEquals(counts("degraded", 1, 1, 0), withoutId(byObject.get(mixed)), "unknown reports are not counted");
    assertEquals(counts("unknown", 0, 0, 0), withoutId(byObject.get(onlyUnknown)));

    report(agents.get(2), allHealthy, "failing");
    JsonObject failing = stackHealth(stack);
    assertEquals("failing", failing.getString("overall_status"));
    assertEquals(counts("failing", 2, 0, 1), withoutId(summaries(failing).get(allHealthy)));

    assertEquals(204, broker.admin().delete("/stacks/" + stack).statusCode());
    JsonObject deleted = stackHealth(stack);
    assertEquals("unknown", deleted.getString("overall_status"), "objects of a deleted stack no longer count");
    assertEquals(0, deleted.getJsonArray("deployment_objects").size());
    assertEquals("unknown", stackHealth(UUID.randomUUID().toString()).getString("overall_status"));
  }

  private static void report(Fixtures.Agent agent, String objectId, String status) {
    var r = HealthApiTest.reportOn(broker, agent, objectId, status);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static JsonObject stackHealth(String stackId) {
    var r = broker.admin().get("/stacks/" + stackId + "/health");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static Map<String, JsonObject> summaries(JsonObject health) {
    return health.getJsonArray("deployment_objects").stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(o -> o.getString("id"), o -> o));
  }

  private static JsonObject withoutId(JsonObject summary) {
    JsonObject copy = summary.copy();
    copy.remove("id");
    return copy;
  }

  private static JsonObject counts(String status, int healthy, int degraded, int failing) {
    return new JsonObject().put("status", status).put("healthy_agents", healthy).put("degraded_agents", degraded)
        .put("failing_agents", failing);
  }
}
