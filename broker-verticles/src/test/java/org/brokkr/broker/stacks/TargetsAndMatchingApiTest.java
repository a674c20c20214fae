package org.brokkr.broker.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TargetsAndMatchingApiTest {
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

  private static HttpResponse<Buffer> addTarget(String pak, String pathAgent, String bodyAgent, String stack) {
    return broker.as(pak).post("/agents/" + pathAgent + "/targets",
        new JsonObject().put("agent_id", bodyAgent).put("stack_id", stack));
  }

  private static List<String> ids(JsonArray rows, String field) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(((JsonObject) r).getString(field)));
    return out;
  }

  private static List<String> associated(Fixtures.Agent agent) {
    var r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/stacks");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return ids(r.bodyAsJsonArray(), "id");
  }

  private static List<String> sorted(String... ids) {
    List<String> out = new ArrayList<>(List.of(ids));
    out.sort(null);
    return out;
  }

  private static void annotateStack(Fixtures.Generator gen, String stack, String key, String value) {
    var r = broker.as(gen.pak()).post("/stacks/" + stack + "/annotations",
        new JsonObject().put("stack_id", stack).put("key", key).put("value", value));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static void annotateAgent(Fixtures.Agent agent, String key, String value) {
    var r = broker.admin().post("/agents/" + agent.id() + "/annotations",
        new JsonObject().put("agent_id", agent.id()).put("key", key).put("value", value));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  @Test
  void addTargetChecksInTheReferenceOrder() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    var registered = fx.agent(List.of(gen.id()));
    var unregistered = fx.agent(List.of(other.id()));
    String missingStack = UUID.randomUUID().toString();

    // unknown stack first, whoever asks and whatever the body says
    assertError(addTarget(registered.pak(), registered.id(), UUID.randomUUID().toString(), missingStack), 404, "stack_not_found");
    assertError(addTarget(other.pak(), registered.id(), registered.id(), missingStack), 404, "stack_not_found");
    // then the caller
    assertError(addTarget(registered.pak(), registered.id(), registered.id(), stack), 403, "target_create_denied");
    assertError(addTarget(other.pak(), registered.id(), registered.id(), stack), 403, "target_generator_mismatch");
    // then the agent's registration with the stack's generator: no admin bypass
    assertError(addTarget(gen.pak(), unregistered.id(), UUID.randomUUID().toString(), stack), 403, "agent_not_registered");
    assertError(addTarget(broker.adminPak, unregistered.id(), unregistered.id(), stack), 403, "agent_not_registered");
    // then the body
    assertError(addTarget(gen.pak(), registered.id(), unregistered.id(), stack), 400, "agent_id_mismatch");
    assertEquals(0, broker.admin().get("/agents/" + registered.id() + "/targets").bodyAsJsonArray().size(),
        "no refused call stored a target");

    var r = addTarget(gen.pak(), registered.id(), registered.id(), stack);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject target = r.bodyAsJsonObject();
    assertNotNull(UUID.fromString(target.getString("id")));
    assertEquals(registered.id(), target.getString("agent_id"));
    assertEquals(stack, target.getString("stack_id"));
    assertError(addTarget(broker.adminPak, registered.id(), registered.id(), stack), 409, "unique_violation");
    String ghost = UUID.randomUUID().toString();
    assertError(addTarget(broker.adminPak, ghost, ghost, stack), 404, "agent_not_found");
  }

  @Test
  void listAndRemoveTargets() {
    var gen = fx.generator();
    var other = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var otherAgent = fx.agent(List.of(gen.id()));
    String s1 = fx.stack(gen);
    String s2 = fx.stack(gen);
    assertEquals(201, addTarget(broker.adminPak, agent.id(), agent.id(), s1).statusCode());
    assertEquals(201, addTarget(gen.pak(), agent.id(), agent.id(), s2).statusCode());

    for (String pak : List.of(agent.pak(), broker.adminPak)) {
      var r = broker.as(pak).get("/agents/" + agent.id() + "/targets");
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(sorted(s1, s2), ids(r.bodyAsJsonArray(), "stack_id"));
    }
    assertError(broker.as(otherAgent.pak()).get("/agents/" + agent.id() + "/targets"), 403, "agent_pak_mismatch");
    assertEquals(403, broker.as(gen.pak()).get("/agents/" + agent.id() + "/targets").statusCode());

    assertError(broker.as(other.pak()).delete("/agents/" + agent.id() + "/targets/" + s1), 403, "target_generator_mismatch");
    assertError(broker.as(agent.pak()).delete("/agents/" + agent.id() + "/targets/" + s1), 403, "target_create_denied");
    assertEquals(204, broker.as(gen.pak()).delete("/agents/" + agent.id() + "/targets/" + s1).statusCode());
    assertError(broker.as(gen.pak()).delete("/agents/" + agent.id() + "/targets/" + s1), 404, "agent_target_not_found");
    assertError(broker.admin().delete("/agents/" + agent.id() + "/targets/" + UUID.randomUUID()), 404, "stack_not_found");
    assertEquals(List.of(s2), ids(broker.admin().get("/agents/" + agent.id() + "/targets").bodyAsJsonArray(), "stack_id"));
  }

  @Test
  void associatedStacksAreTheUnionOfLabelsAnnotationsAndTargets() {
    var gen = fx.generator();
    var foreign = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "env:prod");
    fx.labelAgent(agent.id(), "tier:web");
    annotateAgent(agent, "region", "eu");

    String byFirstLabel = fx.stack(gen);
    fx.labelStack(gen, byFirstLabel, "env:prod");
    String bySecondLabel = fx.stack(gen);
    fx.labelStack(gen, bySecondLabel, "tier:web");
    String byAnnotation = fx.stack(gen);
    annotateStack(gen, byAnnotation, "region", "eu");
    String byBoth = fx.stack(gen);
    fx.labelStack(gen, byBoth, "env:prod");
    annotateStack(gen, byBoth, "region", "eu");
    String byTarget = fx.stack(gen);
    assertEquals(201, addTarget(gen.pak(), agent.id(), agent.id(), byTarget).statusCode());

    String otherLabel = fx.stack(gen);
    fx.labelStack(gen, otherLabel, "env:dev");
    String otherValue = fx.stack(gen);
    annotateStack(gen, otherValue, "region", "us");
    String otherKey = fx.stack(gen);
    annotateStack(gen, otherKey, "zone", "eu");
    fx.stack(gen);
    String unregisteredGenerator = fx.stack(foreign);
    fx.labelStack(foreign, unregisteredGenerator, "env:prod");

    List<String> expected = sorted(byFirstLabel, bySecondLabel, byAnnotation, byBoth, byTarget);
    assertEquals(expected, associated(agent), "sorted by stack id, each stack once");
    var asAdmin = broker.admin().get("/agents/" + agent.id() + "/stacks");
    assertEquals(200, asAdmin.statusCode());
    assertEquals(expected, ids(asAdmin.bodyAsJsonArray(), "id"));
    assertEquals(gen.id(), asAdmin.bodyAsJsonArray().getJsonObject(0).getString("generator_id"), "full Stack objects");

    var stranger = fx.agent(List.of(gen.id()));
    assertError(broker.as(stranger.pak()).get("/agents/" + agent.id() + "/stacks"), 403, "agent_pak_mismatch");
    assertEquals(403, broker.as(gen.pak()).get("/agents/" + agent.id() + "/stacks").statusCode());
    assertError(broker.admin().get("/agents/" + UUID.randomUUID() + "/stacks"), 404, "agent_not_found");
  }

  @Test
  void matchesFollowRegistrationsLabelsAndStackLifetime() {
    var gen = fx.generator();
    var later = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "app:shop");
    String own = fx.stack(gen);
    fx.labelStack(gen, own, "app:shop");
    String elsewhere = fx.stack(later);
    fx.labelStack(later, elsewhere, "app:shop");
    String targetedElsewhere = fx.stack(later);
    assertEquals(List.of(own), associated(agent));

    var reg = broker.as(agent.pak()).send("POST", "/generators/" + later.id() + "/register", Buffer.buffer("{}"), "application/json");
    assertEquals(201, reg.statusCode(), reg.bodyAsString());
    assertEquals(201, addTarget(later.pak(), agent.id(), agent.id(), targetedElsewhere).statusCode());
    assertEquals(sorted(own, elsewhere, targetedElsewhere), associated(agent));

    var dereg = broker.admin().send("DELETE", "/generators/" + later.id() + "/register",
        Buffer.buffer(new JsonObject().put("agent_id", agent.id()).encode()), "application/json");
    assertEquals(204, dereg.statusCode(), dereg.bodyAsString());
    assertEquals(List.of(own), associated(agent), "deregistering drops the generator's label matches and targets");
    assertEquals(0, broker.admin().get("/agents/" + agent.id() + "/targets").bodyAsJsonArray().size());

    assertEquals(204, broker.admin().delete("/agents/" + agent.id() + "/labels/app:shop").statusCode());
    assertEquals(List.of(), associated(agent), "removing the agent label removes the match");
    fx.labelAgent(agent.id(), "app:shop");
    assertEquals(List.of(own), associated(agent));

    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + own).statusCode());
    assertEquals(List.of(), associated(agent), "a deleted stack is no longer associated");
  }

  @Test
  void deletedStackDisappearsFromExplicitTargets() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    assertEquals(201, addTarget(gen.pak(), agent.id(), agent.id(), stack).statusCode());
    assertEquals(List.of(stack), associated(agent));
    assertEquals(204, broker.admin().delete("/stacks/" + stack).statusCode());
    assertEquals(List.of(), associated(agent));
    assertError(addTarget(gen.pak(), agent.id(), agent.id(), stack), 404, "stack_not_found");
  }
}
