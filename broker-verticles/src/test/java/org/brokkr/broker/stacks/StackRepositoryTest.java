package org.brokkr.broker.stacks;

import static org.brokkr.broker.testing.MigratedDatabase.await;
import static org.brokkr.broker.testing.MigratedDatabase.failure;
import static org.brokkr.broker.testing.MigratedDatabase.sqlState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.MigratedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StackRepositoryTest {
  static MigratedDatabase db;
  static final StackRepository repo = new StackRepository();

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static JsonObject insert(UUID generator) {
    return await(repo.insert(db.pool, "stack-" + UUID.randomUUID(), "about it", generator));
  }

  private static UUID id(JsonObject json) {
    return UUID.fromString(json.getString("id"));
  }

  private static List<String> column(JsonArray rows, String name) {
    return rows.stream().map(o -> ((JsonObject) o).getString(name)).toList();
  }

  @Test
  void insertFindListAndUpdate() {
    UUID gen = db.generator();
    UUID other = db.generator();
    JsonObject s = insert(gen);
    assertEquals(gen.toString(), s.getString("generator_id"));
    assertEquals("about it", s.getString("description"));
    assertNull(s.getString("deleted_at"));
    assertEquals(s, await(repo.find(db.pool, id(s))));
    JsonObject t = insert(other);

    assertEquals(List.of(s.getString("id")), column(await(repo.list(db.pool, gen)), "id"), "filtered by generator");
    assertTrue(column(await(repo.list(db.pool, null)), "id").containsAll(List.of(s.getString("id"), t.getString("id"))));

    JsonObject same = await(repo.update(db.pool, id(s), null, null, null));
    assertEquals(s.getString("name"), same.getString("name"));
    assertEquals("about it", same.getString("description"));
    assertEquals(gen.toString(), same.getString("generator_id"));

    JsonObject moved = await(repo.update(db.pool, id(s), null, "new", other));
    assertEquals(s.getString("name"), moved.getString("name"));
    assertEquals("new", moved.getString("description"));
    assertEquals(other.toString(), moved.getString("generator_id"));
    assertTrue(await(repo.list(db.pool, gen)).isEmpty(), "moved to the other generator");
    assertEquals(2, await(repo.list(db.pool, other)).size());

    assertEquals("23505", sqlState(failure(repo.update(db.pool, id(s), t.getString("name"), null, null))),
        "stack names are unique across generators");
    assertEquals("23503", sqlState(failure(repo.update(db.pool, id(s), null, null, UUID.randomUUID()))),
        "the generator must exist");
    assertNull(await(repo.find(db.pool, UUID.randomUUID())));
    assertNull(await(repo.update(db.pool, UUID.randomUUID(), "x", null, null)));
  }

  @Test
  void softDeleteHidesTheStackAndFreesItsName() {
    UUID gen = db.generator();
    JsonObject s = insert(gen);
    OffsetDateTime deletedAt = await(repo.softDelete(db.pool, id(s)));
    assertNotNull(deletedAt);
    assertNull(await(repo.find(db.pool, id(s))));
    assertTrue(await(repo.list(db.pool, gen)).isEmpty());
    assertNull(await(repo.softDelete(db.pool, id(s))), "already deleted");
    assertNull(await(repo.update(db.pool, id(s), "x", null, null)));

    JsonObject again = await(repo.insert(db.pool, s.getString("name"), null, gen));
    assertEquals(s.getString("name"), again.getString("name"), "name reusable after soft delete");
    assertEquals("23505", sqlState(failure(repo.insert(db.pool, s.getString("name"), null, gen))), "but not twice live");
  }

  @Test
  void liveGeneratorAndLiveAgent() {
    UUID gen = db.generator();
    UUID agent = db.agent();
    assertTrue(await(repo.liveGenerator(db.pool, gen)));
    assertTrue(await(repo.liveAgent(db.pool, agent)));
    db.sql("UPDATE generators SET deleted_at = now() WHERE id = $1", gen);
    db.sql("UPDATE agents SET deleted_at = now() WHERE id = $1", agent);
    assertFalse(await(repo.liveGenerator(db.pool, gen)));
    assertFalse(await(repo.liveAgent(db.pool, agent)));
    assertFalse(await(repo.liveGenerator(db.pool, UUID.randomUUID())));
  }

  @Test
  void explicitTargets() {
    UUID gen = db.generator();
    UUID agent = db.agent();
    UUID s1 = id(insert(gen));
    UUID s2 = id(insert(gen));
    JsonObject t = await(repo.addTarget(db.pool, agent, s1));
    assertEquals(agent.toString(), t.getString("agent_id"));
    assertEquals(s1.toString(), t.getString("stack_id"));
    await(repo.addTarget(db.pool, agent, s2));
    assertEquals("23505", sqlState(failure(repo.addTarget(db.pool, agent, s1))));

    assertTrue(await(repo.hasExplicitTarget(db.pool, agent, s1)));
    assertEquals(Set.of(s1.toString(), s2.toString()), Set.copyOf(column(await(repo.targets(db.pool, agent)), "stack_id")));
    assertTrue(await(repo.removeTarget(db.pool, agent, s1)));
    assertFalse(await(repo.removeTarget(db.pool, agent, s1)));
    assertFalse(await(repo.hasExplicitTarget(db.pool, agent, s1)));
    assertEquals(List.of(s2.toString()), column(await(repo.targets(db.pool, agent)), "stack_id"));
  }

  @Test
  void registered() {
    UUID gen = db.generator();
    UUID agent = db.agent();
    assertFalse(await(repo.registered(db.pool, agent, gen)));
    db.register(agent, gen);
    assertTrue(await(repo.registered(db.pool, agent, gen)));
  }

  @Test
  void associatedMatchesLabelsAnnotationsAndTargetsSortedById() {
    UUID gen = db.generator();
    UUID unregisteredGen = db.generator();
    UUID agent = db.agent();
    db.register(agent, gen);
    db.agentLabel(agent, "env:prod");
    db.agentLabel(agent, "tier:web");
    db.agentAnnotation(agent, "team", "blue");

    UUID byLabel = id(insert(gen));
    db.stackLabel(byLabel, "env:prod");
    UUID byOtherLabel = id(insert(gen));
    db.stackLabel(byOtherLabel, "env:dev");
    db.stackLabel(byOtherLabel, "tier:web");
    UUID byAnnotation = id(insert(gen));
    db.stackAnnotation(byAnnotation, "team", "blue");
    UUID wrongValue = id(insert(gen));
    db.stackAnnotation(wrongValue, "team", "red");
    UUID wrongKey = id(insert(gen));
    db.stackAnnotation(wrongKey, "squad", "blue");
    UUID labelAsAnnotation = id(insert(gen));
    db.stackAnnotation(labelAsAnnotation, "env", "prod");
    UUID noMatch = id(insert(gen));
    db.stackLabel(noMatch, "env:dev");

    UUID unregisteredLabel = id(insert(unregisteredGen));
    db.stackLabel(unregisteredLabel, "env:prod");
    UUID unregisteredAnnotation = id(insert(unregisteredGen));
    db.stackAnnotation(unregisteredAnnotation, "team", "blue");
    UUID unregisteredTarget = id(insert(unregisteredGen));
    db.target(agent, unregisteredTarget);

    UUID everything = id(insert(gen));
    db.stackLabel(everything, "env:prod");
    db.stackLabel(everything, "tier:web");
    db.stackAnnotation(everything, "team", "blue");
    db.target(agent, everything);

    UUID deletedByLabel = id(insert(gen));
    db.stackLabel(deletedByLabel, "env:prod");
    UUID deletedTarget = id(insert(gen));
    db.target(agent, deletedTarget);
    await(repo.softDelete(db.pool, deletedByLabel));
    await(repo.softDelete(db.pool, deletedTarget));

    JsonArray associated = await(repo.associated(db.pool, agent));
    List<String> ids = column(associated, "id");
    Set<String> expected = Set.of(byLabel, byOtherLabel, byAnnotation, unregisteredTarget, everything).stream()
        .map(UUID::toString).collect(Collectors.toSet());
    assertEquals(expected, Set.copyOf(ids), "label OR annotation (registered generators only) OR explicit target");
    assertEquals(expected.size(), ids.size(), "each stack once");
    assertEquals(ids.stream().sorted().toList(), ids, "sorted by id");
    JsonObject first = associated.getJsonObject(0);
    assertTrue(first.containsKey("generator_id") && first.containsKey("name"), "full stack rows");

    assertTrue(await(repo.associated(db.pool, db.agent())).isEmpty(), "an agent with nothing matches nothing");
  }

  @Test
  void associatedFollowsRegistrationChanges() {
    UUID gen = db.generator();
    UUID agent = db.agent();
    db.agentLabel(agent, "app:x");
    UUID s = id(insert(gen));
    db.stackLabel(s, "app:x");
    assertTrue(await(repo.associated(db.pool, agent)).isEmpty(), "not registered yet");
    db.register(agent, gen);
    assertEquals(List.of(s.toString()), column(await(repo.associated(db.pool, agent)), "id"));
    db.sql("DELETE FROM stack_labels WHERE stack_id = $1", s);
    assertTrue(await(repo.associated(db.pool, agent)).isEmpty(), "computed per call, never materialized");
  }
}
