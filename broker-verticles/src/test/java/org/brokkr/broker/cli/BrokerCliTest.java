package org.brokkr.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-shot broker commands against a real database that starts empty (no broker has ever run
 * on it): what they print, what they store and audit, how they fail.
 */
class BrokerCliTest {
  static DatabaseTarget db;
  static Map<String, String> env;

  @BeforeAll
  static void emptyDatabase() {
    db = TestDatabase.fresh();
    env = CliRun.env(db);
  }

  @AfterAll
  static void drop() {
    TestDatabase.drop(db);
  }

  private static String hashOf(String pak) {
    return Pak.hashOfPresented(pak).orElseThrow();
  }

  @Test
  void createGeneratorOnAnEmptyDatabaseMigratesAndPrintsTheReferenceFields() {
    String name = "ci-" + UUID.randomUUID();
    CliRun run = CliRun.of(env, "create", "generator", "--name", name, "--description", "the CI").ok();

    assertEquals("Generator created successfully:", run.out().lines().findFirst().orElseThrow());
    String id = run.field("ID");
    assertEquals(name, run.field("Name"));
    String pak = run.field("Initial PAK");
    assertEquals(hashOf(pak), Sql.scalar(db, "SELECT pak_hash FROM generators WHERE id = ?::uuid", id));
    assertEquals("the CI", Sql.scalar(db, "SELECT description FROM generators WHERE id = ?::uuid", id));

    var audit = Sql.rows(db, "SELECT actor_type, actor_id, resource_type, details::text FROM audit_logs"
        + " WHERE action = 'pak.created' AND resource_id = ?::uuid", id);
    assertEquals(1, audit.size());
    assertEquals("admin", audit.get(0).get(0));
    assertEquals(null, audit.get(0).get(1));
    assertEquals("pak", audit.get(0).get(2));
    assertEquals(new JsonObject().put("name", name).put("via", "cli"), new JsonObject(audit.get(0).get(3)));
  }

  @Test
  void createAgentRegistersWithTheListedGeneratorsAndWarnsWithoutASystemGenerator() {
    String g1 = CliRun.of(env, "create", "generator", "--name", "g1-" + UUID.randomUUID()).ok().field("ID");
    String g2 = CliRun.of(env, "create", "generator", "--name", "g2-" + UUID.randomUUID()).ok().field("ID");

    CliRun run = CliRun.of(env, "create", "agent", "--name", "edge-1", "--cluster-name", "prod-eu",
        "--generator-ids", g1 + "," + g2).ok();
    assertEquals("Agent created successfully:", run.out().lines().findFirst().orElseThrow());
    String id = run.field("ID");
    assertEquals("edge-1", run.field("Name"));
    assertEquals("prod-eu", run.field("Cluster"));
    assertEquals(g1 + ", " + g2, run.field("Registered with"));
    assertEquals(hashOf(run.field("Initial PAK")), Sql.scalar(db, "SELECT pak_hash FROM agents WHERE id = ?::uuid", id));
    assertTrue(run.err().contains("no system generator"), run.err());
    assertEquals(List.of(g1, g2).stream().sorted().toList(), Sql.rows(db,
        "SELECT generator_id::text FROM agent_generator_registrations WHERE agent_id = ?::uuid ORDER BY 1", id)
        .stream().map(row -> row.get(0)).toList());
    assertEquals("1", Sql.scalar(db, "SELECT count(*) FROM audit_logs WHERE action = 'pak.created' AND resource_id = ?::uuid"
        + " AND details->>'via' = 'cli'", id));
    assertEquals("1", Sql.scalar(db, "SELECT count(*) FROM event_outbox WHERE event_type = 'agent.registered'"
        + " AND agent_id = ?::uuid", id));

    String again = CliRun.of(env, "create", "agent", "--name", "edge-1", "--cluster-name", "prod-eu").oneErrorLine(1);
    assertTrue(again.contains("already exists"), again);
  }

  @Test
  void anUnknownGeneratorIdCreatesNothing() {
    String missing = UUID.randomUUID().toString();
    String name = "lonely-" + UUID.randomUUID();
    String line = CliRun.of(env, "create", "agent", "--name", name, "--cluster-name", "c", "--generator-ids", missing)
        .oneErrorLine(1);
    assertEquals("brokkr-broker: error: generator " + missing + " does not exist", line);
    assertEquals("0", Sql.scalar(db, "SELECT count(*) FROM agents WHERE name = ?", name));

    String bad = CliRun.of(env, "create", "agent", "--name", name, "--cluster-name", "c", "--generator-ids", "nope")
        .err().lines().findFirst().orElseThrow();
    assertEquals("brokkr-broker: --generator-ids: 'nope' is not a UUID", bad);
  }

  @Test
  void rotatingAnUnknownIdentityFailsWithOneLine() {
    String id = UUID.randomUUID().toString();
    assertEquals("brokkr-broker: error: agent " + id + " not found",
        CliRun.of(env, "rotate", "agent", "--uuid", id).oneErrorLine(1));
    assertEquals("brokkr-broker: error: generator " + id + " not found",
        CliRun.of(env, "rotate", "generator", "--uuid", id).oneErrorLine(1));
  }

  @Test
  void rotatingPrintsTheNewPakAndAuditsIt() {
    CliRun created = CliRun.of(env, "create", "agent", "--name", "rot-" + UUID.randomUUID(), "--cluster-name", "c").ok();
    String id = created.field("ID");
    CliRun rotated = CliRun.of(env, "rotate", "agent", "--uuid", id).ok();
    assertEquals("Agent PAK rotated successfully:", rotated.out().lines().findFirst().orElseThrow());
    assertEquals(id, rotated.field("ID"));
    assertEquals(created.field("Name"), rotated.field("Name"));
    String pak = rotated.field("New PAK");
    assertFalse(pak.equals(created.field("Initial PAK")));
    assertEquals(hashOf(pak), Sql.scalar(db, "SELECT pak_hash FROM agents WHERE id = ?::uuid", id));
    assertEquals(new JsonObject().put("name", created.field("Name")).put("via", "cli"), new JsonObject(Sql.scalar(db,
        "SELECT details::text FROM audit_logs WHERE action = 'pak.rotated' AND resource_type = 'agent' AND resource_id = ?::uuid", id)));
  }

  @Test
  void theSchemaSettingIsHonoured() {
    Map<String, String> tenant = CliRun.env(db, "BROKKR__DATABASE__SCHEMA", "tenant_cli");
    String name = "in-schema-" + UUID.randomUUID();
    String id = CliRun.of(tenant, "create", "generator", "--name", name).ok().field("ID");
    assertEquals(name, Sql.scalar(db, "SELECT name FROM tenant_cli.generators WHERE id = ?::uuid", id));
    assertEquals("0", Sql.scalar(db, "SELECT count(*) FROM public.generators WHERE id = ?::uuid", id));
  }

  @Test
  void noDatabaseIsOneClearLine() {
    Map<String, String> nowhere = Map.of("BROKKR__DATABASE__URL", "postgres://brokkr:brokkr@127.0.0.1:1/none");
    String line = CliRun.of(nowhere, "rotate", "admin").oneErrorLine(1);
    assertTrue(line.startsWith("brokkr-broker: error: cannot reach the database postgres://brokkr@127.0.0.1:1/none"), line);

    Map<String, String> noEmbedded = Map.of("BROKKR__DATABASE__EMBEDDED_DATA_DIR", "/nonexistent/brokkr-data");
    String embedded = CliRun.of(noEmbedded, "create", "generator", "--name", "x").oneErrorLine(1);
    assertTrue(embedded.contains("no database") && embedded.contains("/nonexistent/brokkr-data"), embedded);
  }

  @Test
  void commandLineMistakesExitWithStatusTwo() {
    assertEquals(2, CliRun.of(env, "create", "agent", "--name", "x").code(), "--cluster-name missing");
    assertEquals(2, CliRun.of(env, "create", "widget").code());
    assertEquals(2, CliRun.of(env, "rotate", "agent", "--uuid", "12").code());
    assertEquals(2, CliRun.of(env, "rotate", "admin", "--force").code());
    assertEquals(2, CliRun.of(Map.of("BROKKR__BROKER__PAK_HASH", "short"), "rotate", "admin").code());
    CliRun help = CliRun.of(env, "--help").ok();
    assertTrue(help.out().contains("rotate admin"), help.out());
  }

  @Test
  void generatePakKeepsItsOutputAndNeedsNoDatabase() {
    CliRun run = CliRun.of(Map.of(), "generate-pak").ok();
    String pak = run.out().lines().findFirst().orElseThrow().substring("PAK:  ".length());
    assertEquals(hashOf(pak), run.field("Hash"));
    assertTrue(run.out().contains("BROKKR__BROKER__PAK_HASH=" + run.field("Hash")), run.out());
  }
}
