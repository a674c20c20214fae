package org.brokkr.broker.agents;

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
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AgentRepositoryTest {
  static MigratedDatabase db;
  static UUID system;
  static final AgentRepository repo = new AgentRepository();

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
    system = db.systemGenerator();
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static JsonObject insert(String cluster, List<UUID> generators) {
    return await(repo.insert(db.pool, "agent-" + UUID.randomUUID(), cluster, Pak.mint(Pak.Format.DEFAULT).hash(), generators));
  }

  private static UUID id(JsonObject json) {
    return UUID.fromString(json.getString("id"));
  }

  private static Set<String> column(JsonArray rows, String name) {
    return rows.stream().map(o -> ((JsonObject) o).getString(name)).collect(Collectors.toSet());
  }

  @Test
  void insertRegistersWithTheSystemGeneratorAndTheGivenLiveGenerators() {
    UUID g1 = db.generator();
    UUID unrelated = db.generator();
    UUID deleted = db.generator();
    db.sql("UPDATE generators SET deleted_at = now() WHERE id = $1", deleted);
    String hash = Pak.mint(Pak.Format.DEFAULT).hash();

    JsonObject agent = await(repo.insert(db.pool, "edge-1", "cluster-" + UUID.randomUUID(), hash, List.of(g1, deleted)));
    assertEquals("edge-1", agent.getString("name"));
    assertEquals("INACTIVE", agent.getString("status"));
    assertNull(agent.getString("last_heartbeat"));
    assertFalse(agent.containsKey("pak_hash"));

    JsonArray regs = await(repo.registrations(db.pool, id(agent)));
    assertEquals(Set.of(system.toString(), g1.toString()), column(regs, "generator_id"), regs.encode());
    assertFalse(column(regs, "generator_id").contains(unrelated.toString()));

    AgentRepository.AgentRow row = await(repo.find(db.pool, id(agent)));
    assertEquals(hash, row.pakHash());
    assertFalse(row.json().containsKey("pak_hash"));

    JsonObject bare = insert("c", List.of());
    assertEquals(Set.of(system.toString()), column(await(repo.registrations(db.pool, id(bare))), "generator_id"),
        "with no generator ids, only the system generator");
  }

  @Test
  void listsAndSearchByNameAndCluster() {
    UUID gen = db.generator();
    String name = "search-" + UUID.randomUUID();
    JsonObject a = await(repo.insert(db.pool, name, "east", "h1-" + name, List.of(gen)));
    JsonObject b = await(repo.insert(db.pool, name, "west", "h2-" + name, List.of()));

    assertEquals(a.getString("id"), await(repo.search(db.pool, name, "east")).getString("id"));
    assertEquals(b.getString("id"), await(repo.search(db.pool, name, "west")).getString("id"));
    assertNull(await(repo.search(db.pool, name, "north")));
    assertNull(await(repo.search(db.pool, "other-" + name, "east")));

    assertEquals(Set.of(a.getString("id")), column(await(repo.listRegisteredWith(db.pool, gen)), "id"));
    assertTrue(column(await(repo.listAll(db.pool)), "id").containsAll(Set.of(a.getString("id"), b.getString("id"))));

    assertNotNull(await(repo.softDelete(db.pool, id(a))));
    assertNull(await(repo.search(db.pool, name, "east")), "deleted agents are not found");
    assertTrue(await(repo.listRegisteredWith(db.pool, gen)).isEmpty());
    assertFalse(column(await(repo.listAll(db.pool)), "id").contains(a.getString("id")));
    assertNull(await(repo.find(db.pool, id(a))));
  }

  @Test
  void countLiveGeneratorsIgnoresDeletedAndUnknownIds() {
    UUID g1 = db.generator();
    UUID g2 = db.generator();
    UUID deleted = db.generator();
    db.sql("UPDATE generators SET deleted_at = now() WHERE id = $1", deleted);
    assertEquals(2L, await(repo.countLiveGenerators(db.pool, List.of(g1, g2, deleted, UUID.randomUUID()))));
    assertEquals(0L, await(repo.countLiveGenerators(db.pool, List.of())));
  }

  @Test
  void heartbeatWithAndWithoutKubernetesFields() {
    UUID agent = id(insert("hb", List.of()));
    assertTrue(await(repo.heartbeat(db.pool, agent, null, null)));
    JsonObject plain = await(repo.find(db.pool, agent)).json();
    assertNotNull(plain.getString("last_heartbeat"));
    assertNull(plain.getValue("k8s_reachable"));
    assertNull(plain.getValue("k8s_reported_at"));

    assertTrue(await(repo.heartbeat(db.pool, agent, false, 42)));
    JsonObject k8s = await(repo.find(db.pool, agent)).json();
    assertEquals(false, k8s.getBoolean("k8s_reachable"));
    assertEquals(42, k8s.getInteger("k8s_api_latency_ms"));
    assertNotNull(k8s.getString("k8s_reported_at"));

    assertTrue(await(repo.heartbeat(db.pool, agent, null, null)));
    JsonObject after = await(repo.find(db.pool, agent)).json();
    assertEquals(false, after.getBoolean("k8s_reachable"), "a plain heartbeat keeps the last k8s report");
    assertEquals(42, after.getInteger("k8s_api_latency_ms"));
    assertEquals(k8s.getString("k8s_reported_at"), after.getString("k8s_reported_at"));

    assertTrue(await(repo.heartbeat(db.pool, agent, true, null)));
    JsonObject nullLatency = await(repo.find(db.pool, agent)).json();
    assertEquals(true, nullLatency.getBoolean("k8s_reachable"));
    assertNull(nullLatency.getValue("k8s_api_latency_ms"));

    assertFalse(await(repo.heartbeat(db.pool, UUID.randomUUID(), null, null)), "unknown agent");
    assertNotNull(await(repo.softDelete(db.pool, agent)));
    assertFalse(await(repo.heartbeat(db.pool, agent, true, 1)), "deleted agent");
  }

  @Test
  void softDeleteReturnsTheDeletionTimeAndSoftDeletesTheAgentsEvents() {
    UUID agent = id(insert("del", List.of()));
    UUID other = id(insert("del", List.of()));
    UUID object = db.object(db.stack(db.generator()), "a: 1");
    UUID mine = db.event(agent, object, "SUCCESS");
    UUID theirs = db.event(other, object, "SUCCESS");

    OffsetDateTime deletedAt = await(repo.softDelete(db.pool, agent));
    assertNotNull(deletedAt);
    assertEquals(deletedAt.toInstant(), ((OffsetDateTime) db.scalar("SELECT deleted_at FROM agents WHERE id = $1", agent)).toInstant());
    assertEquals(deletedAt.toInstant(),
        ((OffsetDateTime) db.scalar("SELECT deleted_at FROM agent_events WHERE id = $1", mine)).toInstant(),
        "the agent's events are soft-deleted with the same timestamp");
    assertNull(db.scalar("SELECT deleted_at FROM agent_events WHERE id = $1", theirs), "other agents' events stay");
    assertEquals(1, db.count("SELECT count(*) FROM agent_generator_registrations WHERE agent_id = $1", agent),
        "registrations are not touched by soft delete");

    assertNull(await(repo.softDelete(db.pool, agent)), "no live agent the second time");
    assertNull(await(repo.softDelete(db.pool, UUID.randomUUID())));
  }

  @Test
  void nameAndClusterAreUniqueAmongLiveAgentsOnly() {
    String name = "uniq-" + UUID.randomUUID();
    JsonObject first = await(repo.insert(db.pool, name, "c1", "x", List.of()));
    assertEquals("23505", sqlState(failure(repo.insert(db.pool, name, "c1", "y", List.of()))));
    assertNotNull(await(repo.insert(db.pool, name, "c2", "z", List.of())), "same name in another cluster");

    assertNotNull(await(repo.softDelete(db.pool, id(first))));
    JsonObject again = await(repo.insert(db.pool, name, "c1", "w", List.of()));
    assertNotNull(again, "the name is free again after a soft delete");
    assertEquals(again.getString("id"), await(repo.search(db.pool, name, "c1")).getString("id"));
  }

  @Test
  void updateKeepsNullFieldsAndSetPakHashReplacesTheHash() {
    JsonObject agent = insert("upd", List.of());
    JsonObject same = await(repo.update(db.pool, id(agent), null, null, null));
    assertEquals(agent.getString("name"), same.getString("name"));
    assertEquals("upd", same.getString("cluster_name"));
    assertEquals("INACTIVE", same.getString("status"));

    JsonObject active = await(repo.update(db.pool, id(agent), null, "upd-2", "ACTIVE"));
    assertEquals(agent.getString("name"), active.getString("name"));
    assertEquals("upd-2", active.getString("cluster_name"));
    assertEquals("ACTIVE", active.getString("status"));

    JsonObject rotated = await(repo.setPakHash(db.pool, id(agent), "new-hash"));
    assertFalse(rotated.containsKey("pak_hash"));
    assertEquals("new-hash", await(repo.find(db.pool, id(agent))).pakHash());
    assertNull(await(repo.update(db.pool, UUID.randomUUID(), "n", null, null)));
  }
}
