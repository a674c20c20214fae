package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Path and query values are validated as the text the client sent: values that look like JSON
 * numbers, arrays or quoted strings, and values holding '%' or '+', are as good as any other.
 */
class LiteralParametersTest {
  private static final List<String> ODD_LABELS = List.of("1.5", "-3", "1e5", "a\"b", "\"quoted\"", "[x]", "{k}",
      "50%", "a+b", "tab\\t", "null");

  static TestBroker broker;
  static Fixtures fx;
  static Fixtures.Generator gen;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    gen = fx.generator();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void labelsThatLookLikeJsonCanBeRemoved() {
    String stackId = fx.stack(gen);
    for (String label : ODD_LABELS) {
      var added = broker.as(gen.pak()).post("/stacks/" + stackId + "/labels", label);
      assertEquals(201, added.statusCode(), label + ": " + added.bodyAsString());
      assertEquals(label, added.bodyAsJsonObject().getString("label"));
    }
    for (String label : ODD_LABELS) {
      var removed = broker.as(gen.pak()).delete("/stacks/" + stackId + "/labels/" + segment(label));
      assertEquals(204, removed.statusCode(), label + ": " + removed.bodyAsString());
    }
    assertEquals(0, broker.as(gen.pak()).get("/stacks/" + stackId + "/labels").bodyAsJsonArray().size());
  }

  @Test
  void agentAnnotationKeysThatLookLikeNumbersCanBeRemoved() {
    var agent = fx.agent(List.of(gen.id()));
    var added = broker.admin().post("/agents/" + agent.id() + "/annotations",
        new JsonObject().put("agent_id", agent.id()).put("key", "2.0").put("value", "[1]"));
    assertEquals(201, added.statusCode(), added.bodyAsString());
    var removed = broker.admin().delete("/agents/" + agent.id() + "/annotations/2.0");
    assertEquals(204, removed.statusCode(), removed.bodyAsString());
    assertEquals(0, broker.admin().get("/agents/" + agent.id() + "/annotations").bodyAsJsonArray().size());
  }

  @Test
  void searchFindsNamesWithPercentAndPlus() {
    String name = "50% a+b " + UUID.randomUUID();
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "1.5"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    var found = broker.admin().get("/agents/?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "&cluster_name=1.5");
    assertEquals(200, found.statusCode(), found.bodyAsString());
    assertEquals(name, found.bodyAsJsonObject().getString("name"));
  }

  @Test
  void auditFiltersAreTakenAsText() {
    var r = broker.admin().get("/admin/audit-logs?action=50%25&resource_type=%5B1%5D&actor_type=1.5");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(0, r.bodyAsJsonObject().getLong("total"));
  }

  @Test
  void oddModesAndEntityTagsAreHarmless() throws Exception {
    var agent = fx.agent(List.of(gen.id()));
    var state = broker.as(agent.pak()).get("/agents/" + agent.id() + "/target-state?mode=%22");
    assertEquals(200, state.statusCode(), state.bodyAsString());
    var weak = broker.client.get("/api/v1/agents/" + agent.id() + "/target-state")
        .putHeader("Authorization", "Bearer " + agent.pak()).putHeader("If-None-Match", "W/\"not-current\"")
        .send().await(30, TimeUnit.SECONDS);
    assertEquals(200, weak.statusCode(), weak.bodyAsString());
  }
}
