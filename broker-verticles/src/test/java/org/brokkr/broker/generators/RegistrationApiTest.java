package org.brokkr.broker.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RegistrationApiTest {
  static TestBroker broker;
  static Fixtures fx;
  static String systemGeneratorId;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    systemGeneratorId = broker.broker.pool().query("SELECT id FROM generators WHERE is_system AND deleted_at IS NULL")
        .execute().await(10, TimeUnit.SECONDS).iterator().next().getUUID("id").toString();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static void assertError(int status, String code, HttpResponse<Buffer> r) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static HttpResponse<Buffer> deregister(String pak, String generatorId, JsonObject body) {
    return broker.as(pak).send("DELETE", "/generators/" + generatorId + "/register",
        body == null ? null : body.toBuffer(), body == null ? null : "application/json");
  }

  private static Set<String> registeredGenerators(String agentId) {
    var r = broker.admin().get("/agents/" + agentId + "/registrations");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("generator_id")).collect(Collectors.toSet());
  }

  private static Set<String> targetStacks(Fixtures.Agent agent) {
    var r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/targets");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("stack_id")).collect(Collectors.toSet());
  }

  private static void target(Fixtures.Generator owner, String agentId, String stackId) {
    var r = broker.as(owner.pak()).post("/agents/" + agentId + "/targets",
        new JsonObject().put("agent_id", agentId).put("stack_id", stackId));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  @Test
  void agentRegistersItselfAndTheBodyIsIgnored() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    var bystander = fx.agent(List.of());
    var r = broker.as(agent.pak()).post("/generators/" + gen.id() + "/register",
        new JsonObject().put("agent_id", bystander.id()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject row = r.bodyAsJsonObject();
    assertNotNull(row.getString("id"));
    assertEquals(agent.id(), row.getString("agent_id"), "an agent always registers itself");
    assertEquals(gen.id(), row.getString("generator_id"));
    assertNotNull(row.getString("registered_at"));

    assertTrue(registeredGenerators(agent.id()).contains(gen.id()));
    assertFalse(registeredGenerators(bystander.id()).contains(gen.id()));

    assertError(409, "already_registered", broker.as(agent.pak()).post("/generators/" + gen.id() + "/register", null));
  }

  @Test
  void adminMustNameTheAgent() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    String path = "/generators/" + gen.id() + "/register";
    assertError(400, "missing_agent_id", broker.admin().post(path, null));
    assertError(400, "missing_agent_id", broker.admin().post(path, new JsonObject()));

    var r = broker.admin().post(path, new JsonObject().put("agent_id", agent.id()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(agent.id(), r.bodyAsJsonObject().getString("agent_id"));
    assertError(409, "already_registered", broker.admin().post(path, new JsonObject().put("agent_id", agent.id())));
    assertError(404, "agent_not_found", broker.admin().post(path, new JsonObject().put("agent_id", UUID.randomUUID().toString())));

    assertError(400, "missing_agent_id", deregister(broker.adminPak, gen.id(), null));
    assertEquals(204, deregister(broker.adminPak, gen.id(), new JsonObject().put("agent_id", agent.id())).statusCode());
    assertFalse(registeredGenerators(agent.id()).contains(gen.id()));
  }

  @Test
  void generatorsMayNotRegisterAgents() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    var r = broker.as(gen.pak()).post("/generators/" + gen.id() + "/register", new JsonObject().put("agent_id", agent.id()));
    assertError(403, "forbidden", r);
    assertError(403, "forbidden", deregister(gen.pak(), gen.id(), new JsonObject().put("agent_id", agent.id())));
    assertFalse(registeredGenerators(agent.id()).contains(gen.id()));
  }

  @Test
  void unknownGeneratorIsNotFound() {
    var agent = fx.agent(List.of());
    String unknown = UUID.randomUUID().toString();
    assertError(404, "generator_not_found", broker.as(agent.pak()).post("/generators/" + unknown + "/register", null));
    assertError(404, "generator_not_found", deregister(agent.pak(), unknown, null));
  }

  @Test
  void deregisterRemovesOnlyThatGeneratorsTargets() {
    var gen = fx.generator();
    var keep = fx.generator();
    var agent = fx.agent(List.of(gen.id(), keep.id()));
    String stack1 = fx.stack(gen);
    String stack2 = fx.stack(gen);
    String kept = fx.stack(keep);
    target(gen, agent.id(), stack1);
    target(gen, agent.id(), stack2);
    target(keep, agent.id(), kept);
    assertEquals(Set.of(stack1, stack2, kept), targetStacks(agent));

    var r = deregister(agent.pak(), gen.id(), null);
    assertEquals(204, r.statusCode(), r.bodyAsString());
    assertEquals(Set.of(kept), targetStacks(agent));
    Set<String> registrations = registeredGenerators(agent.id());
    assertFalse(registrations.contains(gen.id()));
    assertTrue(registrations.contains(keep.id()));

    assertEquals(204, deregister(agent.pak(), gen.id(), null).statusCode(), "no registration is not an error");
    assertError(403, "agent_not_registered", broker.as(gen.pak()).post("/agents/" + agent.id() + "/targets",
        new JsonObject().put("agent_id", agent.id()).put("stack_id", stack1)));
  }

  @Test
  void registeredAgentsIsForAdminOrTheGeneratorItself() {
    var gen = fx.generator();
    var other = fx.generator();
    var a = fx.agent(List.of(gen.id()));
    var b = fx.agent(List.of(gen.id()));
    var unrelated = fx.agent(List.of(other.id()));
    String path = "/generators/" + gen.id() + "/registered-agents";

    for (String pak : new String[] {broker.adminPak, gen.pak()}) {
      var r = broker.as(pak).get(path);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonArray rows = r.bodyAsJsonArray();
      Set<String> agents = rows.stream().map(o -> ((JsonObject) o).getString("agent_id")).collect(Collectors.toSet());
      assertEquals(Set.of(a.id(), b.id()), agents);
      rows.forEach(o -> assertEquals(gen.id(), ((JsonObject) o).getString("generator_id")));
    }
    assertError(403, "generator_not_owned", broker.as(other.pak()).get(path));
    assertError(403, "generator_not_owned", broker.as(a.pak()).get(path));
    assertError(404, "generator_not_found", broker.admin().get("/generators/" + UUID.randomUUID() + "/registered-agents"));

    var system = broker.admin().get("/generators/" + systemGeneratorId + "/registered-agents");
    assertEquals(200, system.statusCode(), system.bodyAsString());
    Set<String> all = system.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("agent_id"))
        .collect(Collectors.toSet());
    assertTrue(all.containsAll(Set.of(a.id(), b.id(), unrelated.id())), "every agent is registered with the system generator");
  }

  @Test
  void newAgentIsRegisteredWithTheSystemGeneratorAndItsGenerators() {
    var g1 = fx.generator();
    var g2 = fx.generator();
    var agent = fx.agent(List.of(g1.id(), g2.id()));
    var r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/registrations");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray rows = r.bodyAsJsonArray();
    assertEquals(3, rows.size(), rows.encode());
    Set<String> generators = rows.stream().map(o -> ((JsonObject) o).getString("generator_id")).collect(Collectors.toSet());
    assertEquals(Set.of(systemGeneratorId, g1.id(), g2.id()), generators);
    rows.forEach(o -> {
      JsonObject row = (JsonObject) o;
      assertEquals(agent.id(), row.getString("agent_id"));
      assertNotNull(row.getString("id"));
      assertNotNull(row.getString("registered_at"));
    });

    var plain = fx.agent(List.of());
    assertEquals(Set.of(systemGeneratorId), registeredGenerators(plain.id()));
  }

  @Test
  void registrationsAreForAdminOrTheAgentItself() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var other = fx.agent(List.of(gen.id()));
    String path = "/agents/" + agent.id() + "/registrations";
    assertEquals(200, broker.admin().get(path).statusCode());
    assertEquals(200, broker.as(agent.pak()).get(path).statusCode());
    assertError(403, "agent_pak_mismatch", broker.as(other.pak()).get(path));
    assertError(403, "agent_pak_mismatch", broker.as(gen.pak()).get(path));
    assertError(404, "agent_not_found", broker.admin().get("/agents/" + UUID.randomUUID() + "/registrations"));
  }
}
