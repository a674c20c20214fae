package org.brokkr.broker.deployments;

import static org.brokkr.broker.testing.MigratedDatabase.await;
import static org.brokkr.broker.testing.MigratedDatabase.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.generators.GeneratorRepository;
import org.brokkr.broker.stacks.StackRepository;
import org.brokkr.broker.support.Rows;
import org.brokkr.broker.testing.MigratedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeploymentObjectRepositoryTest {
  static final String MD5_OF_EMPTY = "d41d8cd98f00b204e9800998ecf8427e";
  static MigratedDatabase db;
  static final DeploymentObjectRepository repo = new DeploymentObjectRepository();
  static final StackRepository stacks = new StackRepository();

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static JsonObject insert(UUID stack, String yaml) {
    return await(repo.insert(db.pool, stack, yaml, "sha-" + yaml.hashCode(), false));
  }

  private static UUID id(JsonObject json) {
    return UUID.fromString(json.getString("id"));
  }

  private static List<String> ids(JsonArray rows) {
    return rows.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private static List<String> served(UUID agent, boolean full) {
    return ids(await(repo.targetState(db.pool, agent, full)));
  }

  /** A live agent registered with the generator and holding the stack by a shared label. */
  private static UUID labelledAgent(UUID gen, UUID stack, String label) {
    UUID agent = db.agent();
    db.register(agent, gen);
    db.agentLabel(agent, label);
    db.stackLabel(stack, label);
    return agent;
  }

  @Test
  void insertListInSequenceOrderAndFind() {
    UUID stack = db.stack(db.generator());
    JsonObject o1 = insert(stack, "a: 1");
    JsonObject o2 = insert(stack, "a: 2");
    JsonObject o3 = await(repo.insert(db.pool, stack, "", "empty", true));
    assertEquals("a: 1", o1.getString("yaml_content"));
    assertEquals("sha-" + "a: 1".hashCode(), o1.getString("yaml_checksum"));
    assertFalse(o1.getBoolean("is_deletion_marker"));
    assertTrue(o3.getBoolean("is_deletion_marker"));
    assertNotNull(o1.getString("submitted_at"));
    assertTrue(o1.getLong("sequence_id") < o2.getLong("sequence_id") && o2.getLong("sequence_id") < o3.getLong("sequence_id"),
        "a global, increasing sequence");

    assertEquals(List.of(o3.getString("id"), o2.getString("id"), o1.getString("id")), ids(await(repo.list(db.pool, stack))),
        "newest first (sequence_id DESC)");
    assertEquals(o2, await(repo.find(db.pool, id(o2))));

    db.sql("UPDATE deployment_objects SET deleted_at = now() WHERE id = $1", id(o2));
    assertNull(await(repo.find(db.pool, id(o2))), "soft-deleted objects are not found");
    assertEquals(List.of(o3.getString("id"), o1.getString("id")), ids(await(repo.list(db.pool, stack))));
    assertNull(await(repo.find(db.pool, UUID.randomUUID())));
    assertTrue(await(repo.list(db.pool, db.stack(db.generator()))).isEmpty());
  }

  @Test
  void contentIsImmutableButSoftDeleteIsAllowed() {
    UUID stack = db.stack(db.generator());
    UUID o = id(insert(stack, "a: 1"));
    for (String change : List.of("yaml_content = 'a: 2'", "yaml_checksum = 'other'", "is_deletion_marker = TRUE",
        "stack_id = '" + db.stack(db.generator()) + "'")) {
      Throwable t = failure(db.pool.preparedQuery("UPDATE deployment_objects SET " + change + " WHERE id = $1")
          .execute(Tuple.of(o)));
      assertTrue(String.valueOf(t.getMessage()).contains("immutable"), change + " -> " + t);
    }
    assertEquals("a: 1", db.scalar("SELECT yaml_content FROM deployment_objects WHERE id = $1", o));

    db.sql("UPDATE deployment_objects SET deleted_at = now() WHERE id = $1", o);
    assertNotNull(db.scalar("SELECT deleted_at FROM deployment_objects WHERE id = $1", o));
  }

  @Test
  void targetStateServesOnlyTheLatestObjectOfEachAssociatedStack() {
    UUID gen = db.generator();
    UUID s1 = db.stack(gen);
    UUID s2 = db.stack(gen);
    UUID unrelated = db.stack(gen);
    UUID agent = labelledAgent(gen, s1, "app:one");
    db.stackLabel(s2, "app:one");
    insert(s1, "v: 1");
    JsonObject s2Latest = insert(s2, "w: 1");
    JsonObject s1Latest = insert(s1, "v: 2");
    insert(unrelated, "u: 1");

    assertEquals(List.of(s1Latest.getString("id"), s2Latest.getString("id")), served(agent, false),
        "one object per stack, newest sequence first");
    assertEquals(served(agent, false), served(agent, true));
    assertTrue(await(repo.agentMayReadStack(db.pool, agent, s1)));
    assertFalse(await(repo.agentMayReadStack(db.pool, agent, unrelated)));
  }

  @Test
  void incrementalModeHidesOnlyObjectsThisAgentAppliedSuccessfully() {
    UUID gen = db.generator();
    UUID stack = db.stack(gen);
    UUID agent = labelledAgent(gen, stack, "app:inc");
    UUID other = db.agent();
    db.register(other, gen);
    db.agentLabel(other, "app:inc");
    UUID older = id(insert(stack, "x: 1"));
    UUID latest = id(insert(stack, "x: 2"));

    db.event(agent, older, "SUCCESS");
    assertEquals(List.of(latest.toString()), served(agent, false), "a success on a superseded object hides nothing");
    db.event(agent, latest, "FAILURE");
    assertEquals(List.of(latest.toString()), served(agent, false), "a failure does not hide the object");
    db.event(other, latest, "SUCCESS");
    assertEquals(List.of(latest.toString()), served(agent, false), "another agent's success does not hide it");
    assertEquals(List.of(), served(other, false));

    UUID deletedSuccess = db.event(agent, latest, "SUCCESS");
    db.sql("UPDATE agent_events SET deleted_at = now() WHERE id = $1", deletedSuccess);
    assertEquals(List.of(latest.toString()), served(agent, false), "a soft-deleted success does not count");

    db.event(agent, latest, "success");
    assertEquals(List.of(), served(agent, false), "status is compared case-insensitively");
    assertEquals(List.of(latest.toString()), served(agent, true), "full mode serves applied objects too");

    UUID newer = id(insert(stack, "x: 3"));
    assertEquals(List.of(newer.toString()), served(agent, false), "a new object is served again");
  }

  @Test
  void stackSoftDeleteOwesAMarkerToEveryAgentThatHeldTheStack() {
    UUID gen = db.generator();
    UUID otherGen = db.generator();
    UUID stack = db.stack(gen);
    UUID byLabel = labelledAgent(gen, stack, "app:gone");
    UUID byAnnotation = db.agent();
    db.register(byAnnotation, gen);
    db.agentAnnotation(byAnnotation, "team", "gone");
    db.stackAnnotation(stack, "team", "gone");
    UUID byTarget = db.agent();
    db.register(byTarget, otherGen);
    db.target(byTarget, stack);
    UUID unregistered = db.agent();
    db.agentLabel(unregistered, "app:gone");
    UUID bystander = db.agent();
    db.register(bystander, gen);
    UUID deletedAgent = labelledAgent(gen, stack, "app:gone-too");
    db.sql("UPDATE agents SET deleted_at = now() WHERE id = $1", deletedAgent);
    UUID o1 = id(insert(stack, "k: 1"));
    UUID o2 = id(insert(stack, "k: 2"));
    db.event(byLabel, o2, "SUCCESS");

    OffsetDateTime deletedAt = await(stacks.softDelete(db.pool, stack));

    for (UUID o : List.of(o1, o2)) {
      assertEquals(deletedAt.toInstant(),
          ((OffsetDateTime) db.scalar("SELECT deleted_at FROM deployment_objects WHERE id = $1", o)).toInstant());
    }
    JsonArray live = await(repo.list(db.pool, stack));
    assertEquals(1, live.size(), "only the marker is live: " + live.encode());
    JsonObject marker = live.getJsonObject(0);
    assertTrue(marker.getBoolean("is_deletion_marker"));
    assertEquals("", marker.getString("yaml_content"));
    assertEquals(MD5_OF_EMPTY, marker.getString("yaml_checksum"));
    assertEquals(deletedAt.toInstant(), OffsetDateTime.parse(marker.getString("submitted_at")).toInstant());

    JsonArray owed = await(db.pool.preparedQuery(
        "SELECT agent_id, deployment_object_id FROM agent_pending_deletions WHERE stack_id = $1")
        .execute(Tuple.of(stack)).map(Rows::jsonArray));
    assertEquals(Set.of(byLabel.toString(), byAnnotation.toString(), byTarget.toString()),
        Set.copyOf(owed.stream().map(o -> ((JsonObject) o).getString("agent_id")).toList()), owed.encode());
    owed.forEach(o -> assertEquals(marker.getString("id"), ((JsonObject) o).getString("deployment_object_id")));

    for (UUID holder : List.of(byLabel, byAnnotation, byTarget)) {
      assertEquals(List.of(marker.getString("id")), served(holder, false), "the marker is served to its holders");
      assertEquals(List.of(marker.getString("id")), served(holder, true));
      assertTrue(await(repo.agentMayReadStack(db.pool, holder, stack)), "holders may still read the deleted stack");
    }
    for (UUID stranger : List.of(unregistered, bystander)) {
      assertEquals(List.of(), served(stranger, true), "the marker is not served to agents that did not hold the stack");
      assertFalse(await(repo.agentMayReadStack(db.pool, stranger, stack)));
    }

    db.event(byLabel, id(marker), "SUCCESS");
    assertEquals(List.of(), served(byLabel, false), "an applied marker is hidden in incremental mode");
    assertEquals(List.of(marker.getString("id")), served(byTarget, false), "other holders still get it");
  }

  @Test
  void generatorSoftDeleteCascadesToStacksObjectsAndTemplates() {
    UUID gen = db.generator();
    UUID keptGen = db.generator();
    UUID s1 = db.stack(gen);
    UUID s2 = db.stack(gen);
    UUID kept = db.stack(keptGen);
    UUID agent = labelledAgent(gen, s1, "app:cascade");
    UUID o1 = id(insert(s1, "c: 1"));
    UUID o2 = id(insert(s2, "c: 2"));
    UUID keptObject = id(insert(kept, "c: 3"));
    UUID template = (UUID) db.scalar("""
        INSERT INTO stack_templates (generator_id, name, template_content, parameters_schema, checksum)
        VALUES ($1, 'tpl', 'x', '{}', 'c') RETURNING id""", gen);

    assertTrue(await(new GeneratorRepository().softDelete(db.pool, gen)));
    OffsetDateTime deletedAt = (OffsetDateTime) db.scalar("SELECT deleted_at FROM generators WHERE id = $1", gen);

    for (UUID s : List.of(s1, s2)) {
      assertEquals(deletedAt.toInstant(),
          ((OffsetDateTime) db.scalar("SELECT deleted_at FROM stacks WHERE id = $1", s)).toInstant());
      assertNull(await(stacks.find(db.pool, s)));
    }
    for (UUID o : List.of(o1, o2)) {
      assertNull(await(repo.find(db.pool, o)), "objects of the generator's stacks are soft-deleted");
    }
    assertNotNull(db.scalar("SELECT deleted_at FROM stack_templates WHERE id = $1", template), "templates too");
    assertNotNull(await(stacks.find(db.pool, kept)), "another generator's stacks are untouched");
    assertNotNull(await(repo.find(db.pool, keptObject)));

    List<String> servedNow = served(agent, false);
    assertEquals(1, servedNow.size(), "the agent that held s1 is owed its deletion marker");
    JsonObject marker = await(repo.find(db.pool, UUID.fromString(servedNow.get(0))));
    assertEquals(s1.toString(), marker.getString("stack_id"));
    assertTrue(marker.getBoolean("is_deletion_marker"));
    assertEquals(0, db.count("SELECT count(*) FROM agent_pending_deletions WHERE stack_id = $1", s2),
        "nobody held s2");
  }

  @Test
  void liveAgent() {
    UUID agent = db.agent();
    assertTrue(await(repo.liveAgent(db.pool, agent)));
    db.sql("UPDATE agents SET deleted_at = now() WHERE id = $1", agent);
    assertFalse(await(repo.liveAgent(db.pool, agent)));
  }
}
