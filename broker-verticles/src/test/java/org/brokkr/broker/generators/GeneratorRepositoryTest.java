package org.brokkr.broker.generators;

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
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.MigratedDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorRepositoryTest {
  static MigratedDatabase db;
  static final GeneratorRepository repo = new GeneratorRepository();

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private static JsonObject insert(String name) {
    return await(repo.insert(db.pool, name, "desc of " + name, Pak.mint(Pak.Format.DEFAULT).hash()));
  }

  private static UUID id(JsonObject json) {
    return UUID.fromString(json.getString("id"));
  }

  private static Set<String> ids(JsonArray rows) {
    return rows.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  @Test
  void insertReturnsWireFieldsWithoutTheHashAndFindKeepsTheHashApart() {
    String name = unique("gen");
    String hash = Pak.mint(Pak.Format.DEFAULT).hash();
    JsonObject created = await(repo.insert(db.pool, name, "a description", hash));
    assertEquals(name, created.getString("name"));
    assertEquals("a description", created.getString("description"));
    assertTrue(created.getBoolean("is_active"));
    assertFalse(created.getBoolean("is_system"));
    assertNull(created.getString("deleted_at"));
    assertNotNull(created.getString("created_at"));
    assertFalse(created.containsKey("pak_hash"), "the hash never reaches the wire JSON");

    GeneratorRepository.GeneratorRow row = await(repo.find(db.pool, id(created), false));
    assertEquals(hash, row.pakHash());
    assertFalse(row.system());
    assertEquals(created.getString("id"), row.json().getString("id"));
    assertFalse(row.json().containsKey("pak_hash"));

    GeneratorRepository.GeneratorRow locked = await(db.pool.withTransaction(conn -> repo.find(conn, id(created), true)));
    assertEquals(hash, locked.pakHash());

    assertNull(await(repo.find(db.pool, UUID.randomUUID(), false)), "unknown id");
  }

  @Test
  void listHidesSystemAndDeletedGenerators() {
    UUID system = db.systemGenerator();
    JsonObject live = insert(unique("live"));
    JsonObject deleted = insert(unique("deleted"));
    assertTrue(await(repo.softDelete(db.pool, id(deleted))));

    Set<String> listed = ids(await(repo.list(db.pool)));
    assertTrue(listed.contains(live.getString("id")));
    assertFalse(listed.contains(system.toString()), "the system generator is never listed");
    assertFalse(listed.contains(deleted.getString("id")));

    GeneratorRepository.GeneratorRow sys = await(repo.find(db.pool, system, false));
    assertTrue(sys.system(), "find still returns the system generator, flagged");
  }

  @Test
  void updateWithNullsKeepsOldValues() {
    JsonObject g = insert(unique("upd"));
    JsonObject same = await(repo.update(db.pool, id(g), null, null, null));
    assertEquals(g.getString("name"), same.getString("name"));
    assertEquals(g.getString("description"), same.getString("description"));
    assertTrue(same.getBoolean("is_active"));

    String renamed = unique("renamed");
    JsonObject changed = await(repo.update(db.pool, id(g), renamed, null, false));
    assertEquals(renamed, changed.getString("name"));
    assertEquals(g.getString("description"), changed.getString("description"), "null description is kept");
    assertFalse(changed.getBoolean("is_active"));

    JsonObject described = await(repo.update(db.pool, id(g), null, "new text", null));
    assertEquals(renamed, described.getString("name"));
    assertEquals("new text", described.getString("description"));
    assertFalse(described.getBoolean("is_active"), "null is_active is kept");
    assertEquals("new text", await(repo.find(db.pool, id(g), false)).json().getString("description"));

    assertNull(await(repo.update(db.pool, UUID.randomUUID(), "x", null, null)), "unknown id");
  }

  @Test
  void updateToANameTakenByALiveGeneratorIsAUniqueViolation() {
    JsonObject a = insert(unique("a"));
    JsonObject b = insert(unique("b"));
    Throwable t = failure(repo.update(db.pool, id(b), a.getString("name"), null, null));
    assertEquals("23505", sqlState(t), String.valueOf(t));
  }

  @Test
  void softDeleteHidesTheGeneratorAndFreesItsName() {
    String name = unique("del");
    JsonObject g = insert(name);
    assertEquals("23505", sqlState(failure(repo.insert(db.pool, name, null, null))), "name taken while live");

    assertTrue(await(repo.softDelete(db.pool, id(g))));
    assertNull(await(repo.find(db.pool, id(g), false)));
    assertFalse(await(repo.softDelete(db.pool, id(g))), "second delete finds no live row");
    assertNull(await(repo.update(db.pool, id(g), "x", null, null)), "a deleted generator cannot be updated");
    assertNotNull(db.scalar("SELECT deleted_at FROM generators WHERE id = $1", id(g)), "soft, not hard, delete");

    JsonObject again = await(repo.insert(db.pool, name, null, null));
    assertEquals(name, again.getString("name"), "the partial unique index frees the name after delete");
    assertFalse(again.getString("id").equals(g.getString("id")));
  }

  @Test
  void setPakHashReplacesTheStoredHash() {
    JsonObject g = insert(unique("rot"));
    String next = Pak.mint(Pak.Format.DEFAULT).hash();
    JsonObject updated = await(repo.setPakHash(db.pool, id(g), next));
    assertEquals(g.getString("id"), updated.getString("id"));
    assertFalse(updated.containsKey("pak_hash"));
    assertEquals(next, await(repo.find(db.pool, id(g), false)).pakHash());
    assertNull(await(repo.setPakHash(db.pool, UUID.randomUUID(), next)), "unknown id");
  }

  @Test
  void registerReturnsNullOnDuplicateAndRegistrationsListsThem() {
    UUID gen = id(insert(unique("reg")));
    UUID a1 = db.agent();
    UUID a2 = db.agent();

    JsonObject first = await(repo.register(db.pool, a1, gen));
    assertEquals(a1.toString(), first.getString("agent_id"));
    assertEquals(gen.toString(), first.getString("generator_id"));
    assertNotNull(first.getString("registered_at"));
    assertNull(await(repo.register(db.pool, a1, gen)), "a duplicate registration is not an error, just null");
    assertNotNull(await(repo.register(db.pool, a2, gen)));

    JsonArray regs = await(repo.registrations(db.pool, gen));
    assertEquals(2, regs.size(), regs.encode());
    assertEquals(Set.of(a1.toString(), a2.toString()),
        regs.stream().map(o -> ((JsonObject) o).getString("agent_id")).collect(Collectors.toSet()));
    assertEquals(1, db.count("SELECT count(*) FROM agent_generator_registrations WHERE agent_id = $1", a1));
  }

  @Test
  void agentExistsOnlyForLiveAgents() {
    UUID live = db.agent();
    UUID gone = db.agent();
    db.sql("UPDATE agents SET deleted_at = now() WHERE id = $1", gone);
    assertTrue(await(repo.agentExists(db.pool, live)));
    assertFalse(await(repo.agentExists(db.pool, gone)));
    assertFalse(await(repo.agentExists(db.pool, UUID.randomUUID())));
  }

  @Test
  void deregisterRemovesTargetsOfThatGeneratorsLiveStacksOnly() {
    UUID gen = id(insert(unique("dereg")));
    UUID other = id(insert(unique("other")));
    UUID agent = db.agent();
    UUID bystander = db.agent();
    db.register(agent, gen);
    db.register(agent, other);
    db.register(bystander, gen);

    UUID liveStack = db.stack(gen);
    UUID deletedStack = db.stack(gen);
    UUID otherStack = db.stack(other);
    for (UUID s : List.of(liveStack, deletedStack, otherStack)) {
      db.target(agent, s);
    }
    db.target(bystander, liveStack);
    db.sql("UPDATE stacks SET deleted_at = now() WHERE id = $1", deletedStack);

    await(repo.deregister(db.pool, agent, gen));

    assertEquals(0, db.count("SELECT count(*) FROM agent_targets WHERE agent_id = $1 AND stack_id = $2", agent, liveStack));
    assertEquals(1, db.count("SELECT count(*) FROM agent_targets WHERE agent_id = $1 AND stack_id = $2", agent, otherStack),
        "targets on another generator's stacks stay");
    assertEquals(1, db.count("SELECT count(*) FROM agent_targets WHERE agent_id = $1 AND stack_id = $2", agent, deletedStack),
        "targets on deleted stacks are not touched");
    assertEquals(1, db.count("SELECT count(*) FROM agent_targets WHERE agent_id = $1", bystander),
        "another agent's targets stay");
    assertEquals(0, db.count("SELECT count(*) FROM agent_generator_registrations WHERE agent_id = $1 AND generator_id = $2",
        agent, gen));
    assertEquals(1, db.count("SELECT count(*) FROM agent_generator_registrations WHERE agent_id = $1 AND generator_id = $2",
        agent, other));
    assertEquals(1, await(repo.registrations(db.pool, gen)).size(), "the bystander's registration stays");

    await(repo.deregister(db.pool, agent, gen));
    assertEquals(2, db.count("SELECT count(*) FROM agent_targets WHERE agent_id = $1", agent),
        "deregistering twice changes nothing");
  }
}
