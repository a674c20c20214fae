package org.brokkr.broker.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentsApiTest {
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

  private static JsonObject newAgent(String name, String cluster, List<String> generatorIds) {
    return new JsonObject().put("name", name).put("cluster_name", cluster).put("generator_ids", new JsonArray(generatorIds));
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static Set<String> ids(JsonArray agents) {
    return agents.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void adminCreatesInactiveAgentWithWorkingInitialPak() {
    var gen = fx.generator();
    String name = "edge-" + UUID.randomUUID();
    var r = broker.admin().post("/agents", newAgent(name, "c1", List.of(gen.id())));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject agent = r.bodyAsJsonObject().getJsonObject("agent");
    String pak = r.bodyAsJsonObject().getString("initial_pak");
    assertEquals(name, agent.getString("name"));
    assertEquals("c1", agent.getString("cluster_name"));
    assertEquals("INACTIVE", agent.getString("status"));
    assertNull(agent.getValue("deleted_at"));
    assertFalse(agent.containsKey("pak_hash"), "the PAK hash never leaves the broker");
    assertTrue(pak.startsWith("brokkr_BR"), pak);

    var self = broker.as(pak).get("/agents/" + agent.getString("id"));
    assertEquals(200, self.statusCode(), self.bodyAsString());
    assertEquals(name, self.bodyAsJsonObject().getString("name"));

    var regs = broker.admin().get("/agents/" + agent.getString("id") + "/registrations").bodyAsJsonArray();
    assertTrue(regs.stream().anyMatch(o -> gen.id().equals(((JsonObject) o).getString("generator_id"))), regs.encode());
  }

  @Test
  void createIsAdminOnlyAndValidated() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    int before = broker.admin().get("/agents").bodyAsJsonArray().size();

    assertError(broker.as(gen.pak()).post("/agents", newAgent("x-" + UUID.randomUUID(), "c", List.of())), 403, "admin_required");
    assertError(broker.as(agent.pak()).post("/agents", newAgent("x-" + UUID.randomUUID(), "c", List.of())), 403, "admin_required");
    assertError(broker.admin().post("/agents", newAgent("   ", "c", List.of())), 400, "invalid_agent");
    assertError(broker.admin().post("/agents", newAgent("ok-" + UUID.randomUUID(), "", List.of())), 400, "invalid_agent");
    assertError(broker.admin().post("/agents", newAgent("n".repeat(256), "c", List.of())), 400, "invalid_agent");
    assertError(broker.admin().post("/agents", newAgent("ok-" + UUID.randomUUID(), "c",
        List.of(gen.id(), UUID.randomUUID().toString()))), 400, "invalid_generator_id");

    assertEquals(before, broker.admin().get("/agents").bodyAsJsonArray().size(), "no rejected create stored an agent");
  }

  @Test
  void duplicateLiveNameAndClusterConflictsUntilTheFirstIsDeleted() {
    String name = "dup-" + UUID.randomUUID();
    var first = broker.admin().post("/agents", newAgent(name, "prod", List.of()));
    assertEquals(201, first.statusCode());
    assertError(broker.admin().post("/agents", newAgent(name, "prod", List.of())), 409, "unique_violation");
    assertEquals(201, broker.admin().post("/agents", newAgent(name, "staging", List.of())).statusCode(),
        "the same name in another cluster is a different agent");

    String firstId = first.bodyAsJsonObject().getJsonObject("agent").getString("id");
    assertEquals(204, broker.admin().delete("/agents/" + firstId).statusCode());
    var again = broker.admin().post("/agents", newAgent(name, "prod", List.of()));
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertNotEquals(firstId, again.bodyAsJsonObject().getJsonObject("agent").getString("id"));
  }

  @Test
  void listShowsAllToAdminAndRegisteredAgentsToAGenerator() {
    var gen = fx.generator();
    var other = fx.generator();
    var mine = fx.agent(List.of(gen.id()));
    var notMine = fx.agent(List.of(other.id()));

    Set<String> all = ids(broker.admin().get("/agents").bodyAsJsonArray());
    assertTrue(all.containsAll(Set.of(mine.id(), notMine.id())));

    var r = broker.as(gen.pak()).get("/agents");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(Set.of(mine.id()), ids(r.bodyAsJsonArray()));

    assertError(broker.as(mine.pak()).get("/agents"), 403, "generator_required");
  }

  @Test
  void searchWithTrailingSlashFindsByNameAndCluster() {
    String name = "find-me-" + UUID.randomUUID();
    var created = broker.admin().post("/agents", newAgent(name, "east 1", List.of())).bodyAsJsonObject();
    String id = created.getJsonObject("agent").getString("id");
    String pak = created.getString("initial_pak");
    var other = fx.agent(List.of());
    String query = "/agents/?name=" + enc(name) + "&cluster_name=" + enc("east 1");

    var byAdmin = broker.admin().get(query);
    assertEquals(200, byAdmin.statusCode(), byAdmin.bodyAsString());
    assertEquals(id, byAdmin.bodyAsJsonObject().getString("id"));
    var bySelf = broker.as(pak).get(query);
    assertEquals(200, bySelf.statusCode(), bySelf.bodyAsString());
    assertEquals(id, bySelf.bodyAsJsonObject().getString("id"));

    assertError(broker.as(other.pak()).get(query), 403, "agent_pak_mismatch");
    assertError(broker.admin().get("/agents/?name=" + enc(name)), 400, "name_and_cluster_required");
    assertError(broker.admin().get("/agents/?cluster_name=c"), 400, "name_and_cluster_required");
    assertError(broker.admin().get("/agents/?name=nobody-" + UUID.randomUUID() + "&cluster_name=c"), 404, "agent_not_found");
    assertError(broker.as(other.pak()).get("/agents/?name=nobody-" + UUID.randomUUID() + "&cluster_name=c"),
        404, "agent_not_found");

    var list = broker.admin().get("/agents?name=" + enc(name) + "&cluster_name=" + enc("east 1"));
    assertEquals(200, list.statusCode(), list.bodyAsString());
    assertTrue(list.bodyAsJsonArray().size() >= 2, "without the slash it is the list: " + list.bodyAsString());
  }

  @Test
  void getAndUpdateAreAdminOrSelf() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var other = fx.agent(List.of(gen.id()));

    assertEquals(200, broker.admin().get("/agents/" + agent.id()).statusCode());
    assertError(broker.as(other.pak()).get("/agents/" + agent.id()), 403, "agent_pak_mismatch");
    assertEquals(403, broker.as(gen.pak()).get("/agents/" + agent.id()).statusCode());
    assertError(broker.admin().get("/agents/" + UUID.randomUUID()), 404, "agent_not_found");

    var self = broker.as(agent.pak()).put("/agents/" + agent.id(), new JsonObject().put("status", "ACTIVE"));
    assertEquals(200, self.statusCode(), self.bodyAsString());
    assertEquals("ACTIVE", self.bodyAsJsonObject().getString("status"));

    assertError(broker.as(other.pak()).put("/agents/" + agent.id(), new JsonObject().put("status", "INACTIVE")),
        403, "agent_pak_mismatch");
    assertEquals(403, broker.as(gen.pak()).put("/agents/" + agent.id(), new JsonObject().put("status", "INACTIVE")).statusCode());

    assertError(broker.as(agent.pak()).put("/agents/" + agent.id(), new JsonObject().put("name", " ")), 400, "invalid_agent");
    String renamed = "renamed-" + UUID.randomUUID();
    var byAdmin = broker.admin().put("/agents/" + agent.id(), new JsonObject().put("name", renamed));
    assertEquals(200, byAdmin.statusCode(), byAdmin.bodyAsString());
    JsonObject stored = broker.admin().get("/agents/" + agent.id()).bodyAsJsonObject();
    assertEquals(renamed, stored.getString("name"));
    assertEquals("ACTIVE", stored.getString("status"), "the refused updates changed nothing");
  }

  @Test
  void deleteIsAdminOnlyAndRevokesThePak() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    assertEquals(200, broker.as(agent.pak()).get("/agents/" + agent.id()).statusCode(), "PAK is in use (and cached)");

    assertError(broker.as(agent.pak()).delete("/agents/" + agent.id()), 403, "admin_required");
    assertError(broker.as(gen.pak()).delete("/agents/" + agent.id()), 403, "admin_required");

    assertEquals(204, broker.admin().delete("/agents/" + agent.id()).statusCode());
    assertError(broker.admin().get("/agents/" + agent.id()), 404, "agent_not_found");
    assertError(broker.as(agent.pak()).get("/agents/" + agent.id()), 401, "unauthorized");
    assertError(broker.admin().delete("/agents/" + agent.id()), 404, "agent_not_found");
    assertFalse(ids(broker.admin().get("/agents").bodyAsJsonArray()).contains(agent.id()));
  }

  @Test
  void rotatePakByAdminOrSelfRevokesTheOldOne() {
    var agent = fx.agent(List.of());
    var other = fx.agent(List.of());
    assertEquals(200, broker.as(agent.pak()).get("/agents/" + agent.id()).statusCode());

    assertError(broker.as(other.pak()).post("/agents/" + agent.id() + "/rotate-pak", null), 403, "agent_pak_mismatch");

    var bySelf = broker.as(agent.pak()).post("/agents/" + agent.id() + "/rotate-pak", null);
    assertEquals(200, bySelf.statusCode(), bySelf.bodyAsString());
    assertEquals(agent.id(), bySelf.bodyAsJsonObject().getJsonObject("agent").getString("id"));
    String second = bySelf.bodyAsJsonObject().getString("pak");
    assertNotEquals(agent.pak(), second);
    assertError(broker.as(agent.pak()).get("/agents/" + agent.id()), 401, "unauthorized");
    assertEquals(200, broker.as(second).get("/agents/" + agent.id()).statusCode());

    var byAdmin = broker.admin().post("/agents/" + agent.id() + "/rotate-pak", null);
    assertEquals(200, byAdmin.statusCode(), byAdmin.bodyAsString());
    String third = byAdmin.bodyAsJsonObject().getString("pak");
    assertError(broker.as(second).get("/agents/" + agent.id()), 401, "unauthorized");
    assertEquals(200, broker.as(third).get("/agents/" + agent.id()).statusCode());
  }

  @Test
  void heartbeatIsSelfOnlyAndStampsTheAgent() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var other = fx.agent(List.of(gen.id()));
    String path = "/agents/" + agent.id() + "/heartbeat";

    assertError(broker.admin().post(path, null), 403, "agent_pak_mismatch");
    assertEquals(403, broker.as(other.pak()).post(path, null).statusCode());
    assertEquals(403, broker.as(gen.pak()).post(path, null).statusCode());
    assertNull(broker.admin().get("/agents/" + agent.id()).bodyAsJsonObject().getValue("last_heartbeat"),
        "refused heartbeats stamp nothing");

    var plain = broker.as(agent.pak()).post(path, null);
    assertEquals(204, plain.statusCode(), plain.bodyAsString());
    JsonObject afterPlain = broker.admin().get("/agents/" + agent.id()).bodyAsJsonObject();
    assertNotNull(afterPlain.getString("last_heartbeat"));
    assertNull(afterPlain.getValue("k8s_reachable"));
    assertNull(afterPlain.getValue("k8s_reported_at"));

    var report = broker.as(agent.pak()).post(path, new JsonObject().put("k8s_reachable", true).put("k8s_api_latency_ms", 12));
    assertEquals(204, report.statusCode(), report.bodyAsString());
    JsonObject after = broker.admin().get("/agents/" + agent.id()).bodyAsJsonObject();
    assertEquals(Boolean.TRUE, after.getBoolean("k8s_reachable"));
    assertEquals(12, after.getInteger("k8s_api_latency_ms"));
    assertNotNull(after.getString("k8s_reported_at"));
    assertNotNull(after.getString("last_heartbeat"));
    assertEquals("INACTIVE", after.getString("status"), "a heartbeat does not change the status");
  }

  @Test
  void anUnreachableClusterIsReportedWithANullLatency() {
    var agent = fx.agent(List.of(fx.generator().id()));
    String path = "/agents/" + agent.id() + "/heartbeat";
    var report = broker.as(agent.pak()).post(path, new JsonObject().put("k8s_reachable", false).putNull("k8s_api_latency_ms"));
    assertEquals(204, report.statusCode(), report.bodyAsString());
    JsonObject after = broker.admin().get("/agents/" + agent.id()).bodyAsJsonObject();
    assertEquals(Boolean.FALSE, after.getBoolean("k8s_reachable"));
    assertNull(after.getValue("k8s_api_latency_ms"));
    assertNotNull(after.getString("k8s_reported_at"));
  }
}
