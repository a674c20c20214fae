package org.brokkr.broker.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

class AuditLogApiTest {
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

  /** The audit page for a query string (without the leading '?'). */
  private static JsonObject page(String query) {
    var r = broker.admin().get("/admin/audit-logs" + (query.isEmpty() ? "" : "?" + query));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonArray logs(String query) {
    return page(query).getJsonArray("logs");
  }

  private static JsonObject only(String query) {
    JsonArray logs = logs(query);
    assertEquals(1, logs.size(), query + " -> " + logs.encode());
    return logs.getJsonObject(0);
  }

  private static Set<String> actions(JsonArray logs) {
    return logs.stream().map(o -> ((JsonObject) o).getString("action")).collect(Collectors.toSet());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void mutationsRecordTheIdentityThatReallyActed() {
    var gen = fx.generator();
    String genName = broker.admin().get("/generators/" + gen.id()).bodyAsJsonObject().getString("name");
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    var update = broker.as(agent.pak()).put("/agents/" + agent.id(), new JsonObject().put("status", "ACTIVE"));
    assertEquals(200, update.statusCode(), update.bodyAsString());
    String agentName = update.bodyAsJsonObject().getString("name");
    assertEquals(200, broker.as(agent.pak()).post("/agents/" + agent.id() + "/rotate-pak", null).statusCode());

    JsonObject created = only("action=generator.created&resource_id=" + gen.id());
    assertEquals("admin", created.getString("actor_type"));
    assertNull(created.getValue("actor_id"));
    assertEquals("admin", created.getString("actor_name"));
    assertEquals("generator", created.getString("resource_type"));

    JsonObject stackCreated = only("action=stack.created&resource_id=" + stack);
    assertEquals("generator", stackCreated.getString("actor_type"));
    assertEquals(gen.id(), stackCreated.getString("actor_id"));
    assertEquals(genName, stackCreated.getString("actor_name"));
    assertEquals("stack", stackCreated.getString("resource_type"));

    JsonObject updated = only("action=agent.updated&resource_id=" + agent.id());
    assertEquals("agent", updated.getString("actor_type"));
    assertEquals(agent.id(), updated.getString("actor_id"));
    assertEquals(agentName, updated.getString("actor_name"));
    assertEquals("ACTIVE", updated.getJsonObject("details").getString("status"));

    JsonObject rotated = only("action=pak.rotated&resource_id=" + agent.id());
    assertEquals("agent", rotated.getString("actor_type"));
    assertEquals(agent.id(), rotated.getString("actor_id"));
    assertEquals("agent", rotated.getString("resource_type"));
    for (String key : List.of("id", "timestamp", "created_at")) {
      assertNotNull(rotated.getString(key), key);
    }
    assertEquals("127.0.0.1", rotated.getString("ip_address"));
    assertNotNull(rotated.getString("user_agent"));
  }

  @Test
  void filtersNarrowTheLog() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "env:prod");
    assertEquals(200, broker.as(agent.pak()).put("/agents/" + agent.id(), new JsonObject().put("status", "ACTIVE")).statusCode());
    fx.stack(gen);

    assertEquals(Set.of("agent.created", "agent.label_added", "agent.updated"),
        actions(logs("action=" + enc("agent.*") + "&resource_id=" + agent.id())));
    assertEquals(Set.of("agent.created", "agent.label_added", "agent.updated"),
        actions(logs("resource_type=agent&resource_id=" + agent.id())), "pak.created is about resource type pak");
    assertEquals(Set.of("pak.created"), actions(logs("resource_type=pak&resource_id=" + agent.id())));
    assertEquals(Set.of("agent.updated"), actions(logs("actor_type=agent&actor_id=" + agent.id())));
    assertEquals(Set.of("stack.created"), actions(logs("actor_type=generator&actor_id=" + gen.id())));
    assertEquals(0, logs("actor_type=admin&actor_id=" + agent.id()).size(), "filters combine with AND");
    assertEquals(0, logs("action=agent.&resource_id=" + agent.id()).size(), "without '*' the action is exact");

    JsonArray all = logs("resource_id=" + agent.id());
    assertEquals(4, all.size(), all.encode());
    JsonObject newest = all.getJsonObject(0);
    assertEquals("agent.updated", newest.getString("action"), "newest first");
    String ts = newest.getString("timestamp");
    assertEquals(1, logs("resource_id=" + agent.id() + "&from=" + enc(ts)).size(), "from is inclusive");
    assertEquals(3, logs("resource_id=" + agent.id() + "&to=" + enc(ts)).size(), "to is exclusive");
    assertEquals(0, logs("resource_id=" + agent.id() + "&from=" + enc("2999-01-01T00:00:00Z")).size());

    var badId = broker.admin().get("/admin/audit-logs?actor_id=not-a-uuid");
    assertEquals(400, badId.statusCode(), badId.bodyAsString());
    var badTime = broker.admin().get("/admin/audit-logs?from=yesterday");
    assertEquals(400, badTime.statusCode(), badTime.bodyAsString());
  }

  @Test
  void pagesCarryTotalsAndClampedLimits() {
    var agent = fx.agent(List.of());
    for (String label : List.of("a", "b", "c", "d")) {
      fx.labelAgent(agent.id(), label);
    }
    String q = "resource_id=" + agent.id() + "&resource_type=agent";
    JsonObject first = page(q + "&limit=2");
    assertEquals(Set.of("logs", "total", "count", "limit", "offset"), first.fieldNames());
    assertEquals(5, first.getLong("total"));
    assertEquals(2, first.getInteger("count"));
    assertEquals(2, first.getJsonArray("logs").size());
    assertEquals(2, first.getLong("limit"));
    assertEquals(0, first.getLong("offset"));

    JsonObject rest = page(q + "&limit=2&offset=2");
    assertEquals(5, rest.getLong("total"));
    assertEquals(2, rest.getLong("offset"));
    JsonObject last = page(q + "&limit=2&offset=4");
    assertEquals(1, last.getInteger("count"));
    JsonObject beyond = page(q + "&offset=10");
    assertEquals(0, beyond.getInteger("count"));
    assertEquals(5, beyond.getLong("total"), "total counts matches even past the end");

    Set<String> seen = new java.util.HashSet<>();
    for (JsonObject p : List.of(first, rest, last)) {
      p.getJsonArray("logs").forEach(o -> seen.add(((JsonObject) o).getString("id")));
    }
    assertEquals(5, seen.size(), "pages do not overlap");

    assertEquals(1, page(q + "&limit=0").getLong("limit"));
    assertEquals(1, page(q + "&limit=0").getInteger("count"));
    assertEquals(1000, page(q + "&limit=5000").getLong("limit"));
    assertEquals(100, page(q).getLong("limit"));
    assertEquals(0, page(q + "&offset=-3").getLong("offset"));
    assertEquals(5, page(q + "&offset=-3").getInteger("count"));
  }

  @Test
  void onlyAdminsReadTheLog() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var byGen = broker.as(gen.pak()).get("/admin/audit-logs");
    assertEquals(403, byGen.statusCode());
    assertEquals("admin_required", byGen.bodyAsJsonObject().getString("code"));
    var byAgent = broker.as(agent.pak()).get("/admin/audit-logs");
    assertEquals(403, byAgent.statusCode());
    assertEquals("admin_required", byAgent.bodyAsJsonObject().getString("code"));
    assertEquals(401, broker.anonymous().get("/admin/audit-logs").statusCode());
  }

  @Test
  void unknownClientFieldsAreLeftOut() throws Exception {
    UUID resource = UUID.randomUUID();
    broker.broker.pool().preparedQuery("""
        INSERT INTO audit_logs (actor_type, action, resource_type, resource_id, details)
        VALUES ('system', 'system.test', 'system', $1, '{"k":"v"}'::jsonb)""")
        .execute(Tuple.of(resource)).await(10, TimeUnit.SECONDS);
    JsonObject entry = only("resource_id=" + resource);
    assertFalse(entry.containsKey("ip_address"), entry.encode());
    assertFalse(entry.containsKey("user_agent"), entry.encode());
    assertEquals("system", entry.getString("actor_type"));
    assertEquals("v", entry.getJsonObject("details").getString("k"));
    assertTrue(entry.containsKey("actor_id"), "actor_id is present (null) rather than omitted");
  }
}
