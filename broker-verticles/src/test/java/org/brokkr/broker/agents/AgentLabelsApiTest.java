package org.brokkr.broker.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentLabelsApiTest {
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

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static List<String> labels(String agentId) {
    var r = broker.admin().get("/agents/" + agentId + "/labels");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("label")).sorted().toList();
  }

  private static Map<String, String> annotations(String agentId) {
    var r = broker.admin().get("/agents/" + agentId + "/annotations");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> (JsonObject) o)
        .collect(Collectors.toMap(o -> o.getString("key"), o -> o.getString("value")));
  }

  private static HttpResponse<Buffer> addLabel(String pak, String agentId, String label) {
    return broker.as(pak).post("/agents/" + agentId + "/labels", new JsonObject().put("agent_id", agentId).put("label", label));
  }

  private static HttpResponse<Buffer> addAnnotation(String pak, String agentId, String key, String value) {
    return broker.as(pak).post("/agents/" + agentId + "/annotations",
        new JsonObject().put("agent_id", agentId).put("key", key).put("value", value));
  }

  @Test
  void adminAddsListsAndRemovesLabels() {
    var agent = fx.agent(List.of());
    var r = addLabel(broker.adminPak, agent.id(), "env:prod");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject stored = r.bodyAsJsonObject();
    assertEquals(agent.id(), stored.getString("agent_id"));
    assertEquals("env:prod", stored.getString("label"));
    UUID.fromString(stored.getString("id"));
    fx.labelAgent(agent.id(), "tier:edge");

    var bySelf = broker.as(agent.pak()).get("/agents/" + agent.id() + "/labels");
    assertEquals(200, bySelf.statusCode(), bySelf.bodyAsString());
    assertEquals(2, bySelf.bodyAsJsonArray().size());
    assertEquals(List.of("env:prod", "tier:edge"), labels(agent.id()));

    assertEquals(204, broker.admin().delete("/agents/" + agent.id() + "/labels/env:prod").statusCode());
    assertEquals(List.of("tier:edge"), labels(agent.id()));
    assertError(broker.admin().delete("/agents/" + agent.id() + "/labels/env:prod"), 404, "agent_label_not_found");
  }

  @Test
  void labelWritesAreAdminOnlyAndReadsAdminOrSelf() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var other = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "keep");

    assertError(addLabel(agent.pak(), agent.id(), "self-made"), 403, "admin_required");
    assertError(addLabel(gen.pak(), agent.id(), "gen-made"), 403, "admin_required");
    assertError(broker.as(agent.pak()).delete("/agents/" + agent.id() + "/labels/keep"), 403, "admin_required");
    assertError(broker.as(other.pak()).get("/agents/" + agent.id() + "/labels"), 403, "agent_pak_mismatch");
    assertError(broker.as(other.pak()).get("/agents/" + agent.id() + "/annotations"), 403, "agent_pak_mismatch");
    assertEquals(403, broker.as(gen.pak()).get("/agents/" + agent.id() + "/labels").statusCode());
    assertEquals(List.of("keep"), labels(agent.id()));
  }

  @Test
  void badLabelsAreRejectedAndChangeNothing() {
    var agent = fx.agent(List.of());
    var other = fx.agent(List.of());
    fx.labelAgent(agent.id(), "env:prod");
    List<String> before = labels(agent.id());

    assertError(broker.admin().post("/agents/" + agent.id() + "/labels",
        new JsonObject().put("agent_id", other.id()).put("label", "stolen")), 400, "agent_id_mismatch");
    assertEquals(before, labels(agent.id()));
    assertEquals(List.of(), labels(other.id()), "the mismatched body did not label the other agent either");

    assertError(addLabel(broker.adminPak, agent.id(), "env:prod"), 409, "unique_violation");
    assertEquals(before, labels(agent.id()));

    assertError(addLabel(broker.adminPak, agent.id(), "x".repeat(65)), 400, "invalid_label");
    assertEquals(before, labels(agent.id()));
    assertError(addLabel(broker.adminPak, agent.id(), "has space"), 400, "invalid_label");
    assertEquals(before, labels(agent.id()));
    assertError(addLabel(broker.adminPak, agent.id(), ""), 400, "invalid_label");
    assertEquals(before, labels(agent.id()));

    assertEquals(201, addLabel(broker.adminPak, agent.id(), "y".repeat(64)).statusCode(), "64 characters is the limit");
    assertError(broker.admin().post("/agents/" + agent.id() + "/labels", new JsonObject().put("label", "no-agent-id")),
        400, "invalid_request");
    String unknown = UUID.randomUUID().toString();
    assertError(addLabel(broker.adminPak, unknown, "orphan"), 404, "agent_not_found");
  }

  @Test
  void adminAddsListsAndRemovesAnnotations() {
    var agent = fx.agent(List.of());
    var r = addAnnotation(broker.adminPak, agent.id(), "region", "eu-west-1");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject stored = r.bodyAsJsonObject();
    assertEquals(agent.id(), stored.getString("agent_id"));
    assertEquals("region", stored.getString("key"));
    assertEquals("eu-west-1", stored.getString("value"));

    var bySelf = broker.as(agent.pak()).get("/agents/" + agent.id() + "/annotations");
    assertEquals(200, bySelf.statusCode(), bySelf.bodyAsString());
    assertEquals(1, bySelf.bodyAsJsonArray().size());

    assertError(addAnnotation(broker.adminPak, agent.id(), "region", "us-east-1"), 409, "unique_violation");
    assertEquals(Map.of("region", "eu-west-1"), annotations(agent.id()), "one value per key; the first one stays");

    assertError(addAnnotation(agent.pak(), agent.id(), "owner", "me"), 403, "admin_required");
    assertError(broker.as(agent.pak()).delete("/agents/" + agent.id() + "/annotations/region"), 403, "admin_required");

    assertEquals(204, broker.admin().delete("/agents/" + agent.id() + "/annotations/region").statusCode());
    assertEquals(Map.of(), annotations(agent.id()));
    assertError(broker.admin().delete("/agents/" + agent.id() + "/annotations/region"), 404, "agent_annotation_not_found");
  }

  @Test
  void badAnnotationsAreRejectedAndChangeNothing() {
    var agent = fx.agent(List.of());
    var other = fx.agent(List.of());
    fx.labelAgent(agent.id(), "stay");
    assertEquals(201, addAnnotation(broker.adminPak, agent.id(), "zone", "a").statusCode());
    Map<String, String> before = annotations(agent.id());

    assertError(broker.admin().post("/agents/" + agent.id() + "/annotations", new JsonObject()
        .put("agent_id", other.id()).put("key", "k").put("value", "v")), 400, "agent_id_mismatch");
    assertError(addAnnotation(broker.adminPak, agent.id(), "long", "v".repeat(65)), 400, "invalid_annotation");
    assertError(addAnnotation(broker.adminPak, agent.id(), "k".repeat(65), "v"), 400, "invalid_annotation");
    assertError(addAnnotation(broker.adminPak, agent.id(), "spaced", "a b"), 400, "invalid_annotation");

    assertEquals(before, annotations(agent.id()));
    assertEquals(Map.of(), annotations(other.id()));
    assertEquals(List.of("stay"), labels(agent.id()), "the agent's labels are untouched by rejected calls");
  }

  @Test
  void labelsOfADeletedAgentAreGone() {
    var agent = fx.agent(List.of());
    fx.labelAgent(agent.id(), "env:prod");
    assertEquals(204, broker.admin().delete("/agents/" + agent.id()).statusCode());
    assertError(broker.admin().get("/agents/" + agent.id() + "/labels"), 404, "agent_not_found");
    assertError(addLabel(broker.adminPak, agent.id(), "late"), 404, "agent_not_found");
    JsonArray all = broker.admin().get("/agents").bodyAsJsonArray();
    assertEquals(0, all.stream().filter(o -> agent.id().equals(((JsonObject) o).getString("id"))).count());
  }
}
