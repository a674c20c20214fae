package org.brokkr.broker.db;

import static org.brokkr.broker.testing.MigratedDatabase.await;
import static org.brokkr.broker.testing.MigratedDatabase.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;
import org.brokkr.broker.testing.MigratedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Trigger behaviour of sql/V1__core_schema.sql not already covered by the repository tests. */
class SchemaTriggersTest {
  static final OffsetDateTime LONG_AGO = OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  static MigratedDatabase db;

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static Throwable sqlFailure(String sql, Object... args) {
    return failure(db.pool.preparedQuery(sql).execute(Tuple.wrap(Arrays.asList(args))));
  }

  private static OffsetDateTime updatedAt(String table, UUID id) {
    return (OffsetDateTime) db.scalar("SELECT updated_at FROM " + table + " WHERE id = $1", id);
  }

  @Test
  void updatedAtIsRefreshedByEveryUpdate() {
    UUID gen = db.generator();
    UUID agent = db.agent();
    UUID stack = db.stack(gen);
    UUID object = db.object(stack, "a: 1");
    UUID event = db.event(agent, object, "SUCCESS");
    UUID admin = (UUID) db.scalar("INSERT INTO admin_role (pak_hash) VALUES ('h') RETURNING id");
    String[][] cases = {
        {"generators", "description = 'x'", gen.toString()},
        {"agents", "status = 'ACTIVE'", agent.toString()},
        {"stacks", "description = 'x'", stack.toString()},
        {"agent_events", "message = 'x'", event.toString()},
        {"admin_role", "pak_hash = 'h2'", admin.toString()},
        {"deployment_objects", "deleted_at = now()", object.toString()},
    };
    for (String[] c : cases) {
      UUID id = UUID.fromString(c[2]);
      db.sql("ALTER TABLE " + c[0] + " DISABLE TRIGGER USER");
      db.sql("UPDATE " + c[0] + " SET updated_at = $2 WHERE id = $1", id, LONG_AGO);
      db.sql("ALTER TABLE " + c[0] + " ENABLE TRIGGER USER");
      assertEquals(LONG_AGO.toInstant(), updatedAt(c[0], id).toInstant());
      db.sql("UPDATE " + c[0] + " SET " + c[1] + " WHERE id = $1", id);
      assertTrue(updatedAt(c[0], id).isAfter(LONG_AGO.plusYears(20)), c[0] + " updated_at refreshed");
    }
  }

  @Test
  void softDeletedObjectsCannotBeRestoredOrReDeleted() {
    UUID object = db.object(db.stack(db.generator()), "a: 1");
    db.sql("UPDATE deployment_objects SET deleted_at = now() WHERE id = $1", object);
    assertTrue(sqlFailure("UPDATE deployment_objects SET deleted_at = NULL WHERE id = $1", object).getMessage().contains("immutable"));
    assertTrue(sqlFailure("UPDATE deployment_objects SET deleted_at = now() + interval '1 day' WHERE id = $1", object)
        .getMessage().contains("immutable"));
  }

  @Test
  void stackSoftDeleteFiresOnceAndOnlyOnDeletion() {
    UUID stack = db.stack(db.generator());
    db.sql("UPDATE stacks SET description = 'renamed' WHERE id = $1", stack);
    assertEquals(0, db.count("SELECT count(*) FROM deployment_objects WHERE stack_id = $1", stack), "no marker on other updates");

    db.sql("UPDATE stacks SET deleted_at = now() WHERE id = $1", stack);
    db.sql("UPDATE stacks SET deleted_at = now() + interval '1 hour' WHERE id = $1", stack);
    assertEquals(1, db.count("SELECT count(*) FROM deployment_objects WHERE stack_id = $1 AND is_deletion_marker", stack),
        "a stack with no objects still gets one marker, and only one");
  }

  @Test
  void deletingARestoredStackAgainPointsThePendingDeletionAtTheNewMarker() {
    UUID gen = db.generator();
    UUID stack = db.stack(gen);
    UUID agent = db.agent();
    db.target(agent, stack);
    db.sql("UPDATE stacks SET deleted_at = now() WHERE id = $1", stack);
    db.sql("UPDATE stacks SET deleted_at = NULL WHERE id = $1", stack);
    db.sql("UPDATE stacks SET deleted_at = now() WHERE id = $1", stack);

    Object newest = db.scalar("""
        SELECT id FROM deployment_objects WHERE stack_id = $1 AND is_deletion_marker ORDER BY sequence_id DESC LIMIT 1""", stack);
    assertEquals(1, db.count("SELECT count(*) FROM agent_pending_deletions WHERE agent_id = $1", agent));
    assertEquals(newest, db.scalar("SELECT deployment_object_id FROM agent_pending_deletions WHERE agent_id = $1", agent));
  }

  @Test
  void agentSoftDeleteKeepsTheTimestampOfEventsDeletedEarlier() {
    UUID agent = db.agent();
    UUID object = db.object(db.stack(db.generator()), "a: 1");
    UUID early = db.event(agent, object, "SUCCESS");
    UUID late = db.event(agent, object, "FAILURE");
    db.sql("UPDATE agent_events SET deleted_at = $2 WHERE id = $1", early, LONG_AGO);
    db.sql("UPDATE agents SET deleted_at = now() WHERE id = $1", agent);
    assertEquals(LONG_AGO.toInstant(),
        ((OffsetDateTime) db.scalar("SELECT deleted_at FROM agent_events WHERE id = $1", early)).toInstant());
    assertNotNull(db.scalar("SELECT deleted_at FROM agent_events WHERE id = $1", late));
  }

  @Test
  void stackHardDeleteRemovesTargetsEventsObjectsAndPendingDeletions() {
    UUID gen = db.generator();
    UUID stack = db.stack(gen);
    UUID agent = db.agent();
    db.target(agent, stack);
    UUID object = db.object(stack, "a: 1");
    db.event(agent, object, "SUCCESS");
    db.sql("UPDATE stacks SET deleted_at = now() WHERE id = $1", stack);
    assertEquals(1, db.count("SELECT count(*) FROM agent_pending_deletions WHERE stack_id = $1", stack));

    db.sql("DELETE FROM stacks WHERE id = $1", stack);
    assertEquals(0, db.count("SELECT count(*) FROM agent_targets WHERE stack_id = $1", stack));
    assertEquals(0, db.count("SELECT count(*) FROM deployment_objects WHERE stack_id = $1", stack));
    assertEquals(0, db.count("SELECT count(*) FROM agent_events WHERE deployment_object_id = $1", object));
    assertEquals(0, db.count("SELECT count(*) FROM agent_pending_deletions WHERE stack_id = $1", stack));
    assertEquals(1, db.count("SELECT count(*) FROM agents WHERE id = $1", agent), "the agent stays");
  }

  @Test
  void agentHardDeleteRemovesItsTargetsEventsLabelsAndRegistrations() {
    UUID gen = db.generator();
    UUID stack = db.stack(gen);
    UUID agent = db.agent();
    db.register(agent, gen);
    db.target(agent, stack);
    db.agentLabel(agent, "env:x");
    UUID object = db.object(stack, "a: 1");
    db.event(agent, object, "SUCCESS");

    db.sql("DELETE FROM agents WHERE id = $1", agent);
    for (String table : new String[] {"agent_targets", "agent_events", "agent_labels", "agent_generator_registrations"}) {
      assertEquals(0, db.count("SELECT count(*) FROM " + table + " WHERE agent_id = $1", agent), table);
    }
    assertEquals(1, db.count("SELECT count(*) FROM deployment_objects WHERE id = $1", object), "objects stay");
  }

  @Test
  void templateHardDeleteRemovesItsLabelsAnnotationsAndTargets() {
    UUID gen = db.generator();
    UUID stack = db.stack(gen);
    UUID template = (UUID) db.scalar("""
        INSERT INTO stack_templates (generator_id, name, template_content, parameters_schema, checksum)
        VALUES ($1, 'tpl', 'x', '{}', 'c') RETURNING id""", gen);
    db.sql("INSERT INTO template_labels (template_id, label) VALUES ($1, 'l')", template);
    db.sql("INSERT INTO template_annotations (template_id, key, value) VALUES ($1, 'k', 'v')", template);
    db.sql("INSERT INTO template_targets (template_id, stack_id) VALUES ($1, $2)", template, stack);

    db.sql("DELETE FROM stack_templates WHERE id = $1", template);
    for (String table : new String[] {"template_labels", "template_annotations", "template_targets"}) {
      assertEquals(0, db.count("SELECT count(*) FROM " + table + " WHERE template_id = $1", template), table);
    }
  }

  @Test
  void theAdminRoleCannotBeDeleted() {
    UUID admin = (UUID) db.scalar("INSERT INTO admin_role (pak_hash) VALUES ('keep') RETURNING id");
    Throwable t = sqlFailure("DELETE FROM admin_role WHERE id = $1", admin);
    assertTrue(t.getMessage().contains("cannot be deleted"), String.valueOf(t));
    assertEquals(1, db.count("SELECT count(*) FROM admin_role WHERE id = $1", admin));
  }

  @Test
  void auditActorTypeIsChecked() {
    Throwable t = sqlFailure("""
        INSERT INTO audit_logs (actor_type, action, resource_type) VALUES ('robot', 'x.created', 'x')""");
    assertEquals("23514", MigratedDatabase.sqlState(t), String.valueOf(t));
    await(db.pool.query("INSERT INTO audit_logs (actor_type, action, resource_type) VALUES ('generator', 'x', 'x')").execute());
  }
}
