package org.brokkr.broker.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two brokers on one database, each with its own {@code BROKKR__DATABASE__SCHEMA}: each is a
 * separate installation. Nothing made through one is visible, usable or counted through the other,
 * in either direction, and nothing lands in {@code public}.
 */
class SchemaIsolationTest {
  private static DatabaseTarget database;
  private static TestBroker tenantA;
  private static TestBroker tenantB;
  private static World a;
  private static World b;

  /** What one tenant made through its own broker. */
  private record World(Fixtures.Generator generator, Fixtures.Agent agent, String stackId, long firstSequence) {}

  @BeforeAll
  static void start() {
    database = TestDatabase.fresh();
    tenantA = TestBroker.start(database, Map.of("database.schema", "tenant_a"));
    tenantB = TestBroker.start(database, Map.of("database.schema", "tenant_b"));
    a = populate(tenantA);
    b = populate(tenantB);
  }

  @AfterAll
  static void stop() {
    if (tenantA != null) {
      tenantA.closeKeepingDatabase();
    }
    if (tenantB != null) {
      tenantB.closeKeepingDatabase();
    }
    TestDatabase.drop(database);
  }

  /** The same names in both tenants: a generator, a stack with one object, an agent that gets it. */
  private static World populate(TestBroker broker) {
    Fixtures f = new Fixtures(broker);
    var generator = f.generator("ci");
    String stackId = f.stack(generator, "web");
    f.labelStack(generator, stackId, "env:prod");
    JsonObject object = f.deploymentObject(generator, stackId, Fixtures.configMap("hello"));
    var agent = f.agent(List.of(generator.id()));
    f.labelAgent(agent.id(), "env:prod");
    return new World(generator, agent, stackId, object.getLong("sequence_id"));
  }

  private static String channelIn(Connection c, String schema) throws Exception {
    try (var st = c.createStatement()) {
      st.execute("SET search_path TO " + schema);
      try (ResultSet r = st.executeQuery("SELECT brokkr_channel('brokkr_target_state')")) {
        r.next();
        return r.getString(1);
      }
    }
  }

  @Test
  void eachSchemaNotifiesOnItsOwnChannels() throws Exception {
    try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password())) {
      String channelA = channelIn(c, "tenant_a");
      String channelB = channelIn(c, "tenant_b");
      assertFalse(channelA.equals(channelB), channelA);
      assertTrue(channelA.startsWith("brokkr_target_state_") && channelA.length() <= 63, channelA);
      try (var st = c.createStatement()) {
        st.execute("LISTEN \"" + channelA + "\"");
      }
      // tenant B's change commits first: were it on A's channel, A's listener would hear it first
      new Fixtures(tenantB).labelAgent(b.agent().id(), "zone:b");
      new Fixtures(tenantA).labelAgent(a.agent().id(), "zone:a");
      var pg = c.unwrap(org.postgresql.PGConnection.class);
      Set<String> heard = new HashSet<>();
      while (!heard.contains(a.agent().id())) {
        var batch = pg.getNotifications(0);
        for (var n : batch == null ? new org.postgresql.PGNotification[0] : batch) {
          heard.add(n.getParameter());
        }
      }
      assertFalse(heard.contains(b.agent().id()), "tenant A's brokers hear nothing of tenant B: " + heard);
    }
  }

  @Test
  void sameNamesAndOwnSequencesInEachSchema() {
    // names are unique per installation, and each schema numbers its own history from the start
    assertEquals(a.firstSequence(), b.firstSequence());
    assertFalse(a.stackId().equals(b.stackId()));
  }

  @Test
  void pakOfOneTenantOpensNothingInTheOther() {
    assertIsolated(tenantA, a, tenantB);
    assertIsolated(tenantB, b, tenantA);
  }

  @Test
  void objectsOfOneTenantAreInvisibleToTheOther() {
    assertInvisible(a, tenantB, b);
    assertInvisible(b, tenantA, a);
  }

  @Test
  void eachAgentGetsOnlyItsOwnTenantsObjects() {
    for (var pair : List.of(Map.entry(tenantA, a), Map.entry(tenantB, b))) {
      World w = pair.getValue();
      var r = pair.getKey().as(w.agent().pak()).get("/agents/" + w.agent().id() + "/target-state?mode=full");
      assertEquals(200, r.statusCode(), r.bodyAsString());
      Set<String> stacks = new HashSet<>();
      for (Object o : r.bodyAsJsonArray()) {
        stacks.add(((JsonObject) o).getString("stack_id"));
      }
      assertEquals(Set.of(w.stackId()), stacks);
    }
  }

  @Test
  void auditAndCountsStayWithinTheirSchema() {
    for (var pair : List.of(Map.entry(tenantA, b), Map.entry(tenantB, a))) {
      var r = pair.getKey().admin().get("/admin/audit-logs?limit=1000");
      assertEquals(200, r.statusCode(), r.bodyAsString());
      String other = pair.getValue().generator().id();
      for (Object row : r.bodyAsJsonObject().getJsonArray("logs", new JsonArray())) {
        assertFalse(((JsonObject) row).encode().contains(other), "audit row of the other tenant: " + row);
      }
      var generators = pair.getKey().admin().get("/generators");
      assertEquals(200, generators.statusCode());
      assertFalse(generators.bodyAsString().contains(other), generators.bodyAsString());
    }
  }

  @Test
  void migrationsAndTablesLiveInTheTenantSchemasOnly() throws Exception {
    try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
         var s = c.createStatement()) {
      for (var tenant : List.of(Map.entry("tenant_a", a), Map.entry("tenant_b", b))) {
        String schema = tenant.getKey();
        String own = tenant.getValue().generator().id();
        String other = (tenant.getValue() == a ? b : a).generator().id();
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".flyway_schema_history WHERE success")) {
          assertTrue(rs.next() && rs.getInt(1) > 0, "migrations recorded in " + schema);
        }
        try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE id::text = '" + own + "'),"
            + " count(*) FILTER (WHERE id::text = '" + other + "') FROM " + schema + ".generators")) {
          assertTrue(rs.next());
          assertEquals(1, rs.getInt(1), schema + " holds its own generator");
          assertEquals(0, rs.getInt(2), schema + " holds the other tenant's generator");
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
        assertTrue(rs.next());
        assertEquals(0, rs.getInt(1), "tables created in public");
      }
    }
  }

  private static void assertIsolated(TestBroker own, World w, TestBroker other) {
    assertEquals(200, own.as(w.generator().pak()).get("/stacks/" + w.stackId()).statusCode());
    assertEquals(401, other.as(own.adminPak).get("/generators").statusCode(), "admin PAK crosses tenants");
    assertEquals(401, other.as(w.generator().pak()).get("/stacks").statusCode(), "generator PAK crosses tenants");
    assertEquals(401, other.as(w.agent().pak()).get("/agents/" + w.agent().id() + "/target-state").statusCode(),
        "agent PAK crosses tenants");
  }

  private static void assertInvisible(World w, TestBroker other, World otherWorld) {
    var admin = other.admin();
    assertEquals(404, admin.get("/stacks/" + w.stackId()).statusCode());
    assertEquals(404, admin.get("/agents/" + w.agent().id()).statusCode());
    assertEquals(404, admin.get("/generators/" + w.generator().id()).statusCode());
    assertEquals(404, admin.get("/stacks/" + w.stackId() + "/deployment-objects").statusCode());
    var stacks = admin.get("/stacks").bodyAsJsonArray();
    assertEquals(1, stacks.size(), stacks.encode());
    assertEquals(otherWorld.stackId(), stacks.getJsonObject(0).getString("id"));
    // writes naming the other tenant's ids find nothing there
    assertEquals(404, admin.post("/agents/" + w.agent().id() + "/labels",
        new JsonObject().put("agent_id", w.agent().id()).put("label", "x")).statusCode());
    assertEquals(404, admin.delete("/stacks/" + w.stackId()).statusCode());
  }
}
