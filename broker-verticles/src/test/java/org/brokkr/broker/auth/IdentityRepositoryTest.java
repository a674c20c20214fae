package org.brokkr.broker.auth;

import static org.brokkr.broker.testing.MigratedDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.UUID;
import org.brokkr.broker.testing.MigratedDatabase;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IdentityRepositoryTest {
  static MigratedDatabase db;
  static IdentityRepository repo;
  static String adminHash;
  static String laterAdminRowHash;

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
    repo = new IdentityRepository(db.pool);
    adminHash = hash();
    laterAdminRowHash = hash();
    db.sql("INSERT INTO admin_role (created_at, pak_hash) VALUES (now() - interval '1 day', $1)", adminHash);
    db.sql("INSERT INTO admin_role (created_at, pak_hash) VALUES (now(), $1)", laterAdminRowHash);
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static String hash() {
    return Pak.mint(Pak.Format.DEFAULT).hash();
  }

  private static Optional<Identity> resolve(String hash) {
    return await(repo.resolve(hash));
  }

  private static UUID agentWith(String hash) {
    return (UUID) db.scalar("INSERT INTO agents (name, cluster_name, pak_hash) VALUES ($1, 'c', $2) RETURNING id",
        "agent-" + UUID.randomUUID(), hash);
  }

  private static UUID generatorWith(String hash) {
    return (UUID) db.scalar("INSERT INTO generators (name, pak_hash) VALUES ($1, $2) RETURNING id",
        "gen-" + UUID.randomUUID(), hash);
  }

  @Test
  void adminIsTheFirstAdminRowOnly() {
    assertEquals(Optional.of(Identity.ADMIN), resolve(adminHash));
    assertEquals(Optional.empty(), resolve(laterAdminRowHash), "only the first admin_role row is a credential");
  }

  @Test
  void liveAgentResolvesDeletedAgentDoesNot() {
    String h = hash();
    UUID agent = agentWith(h);
    assertEquals(Optional.of(Identity.agent(agent)), resolve(h));

    db.sql("UPDATE agents SET deleted_at = now() WHERE id = $1", agent);
    assertEquals(Optional.empty(), resolve(h));
  }

  @Test
  void liveGeneratorResolvesDeletedGeneratorDoesNot() {
    String h = hash();
    UUID gen = generatorWith(h);
    assertEquals(Optional.of(Identity.generator(gen)), resolve(h));

    db.sql("UPDATE generators SET deleted_at = now() WHERE id = $1", gen);
    assertEquals(Optional.empty(), resolve(h));
  }

  @Test
  void rotatedHashResolvesOnlyTheNewValue() {
    String old = hash();
    String next = hash();
    UUID agent = agentWith(old);
    db.sql("UPDATE agents SET pak_hash = $2 WHERE id = $1", agent, next);
    assertEquals(Optional.empty(), resolve(old));
    assertEquals(Optional.of(Identity.agent(agent)), resolve(next));
  }

  @Test
  void adminWinsOverAGeneratorWithTheSameHash() {
    generatorWith(adminHash);
    assertEquals(Optional.of(Identity.ADMIN), resolve(adminHash));
  }

  @Test
  void agentWinsOverAGeneratorWithTheSameHash() {
    String h = hash();
    generatorWith(h);
    UUID agent = agentWith(h);
    assertEquals(Optional.of(Identity.agent(agent)), resolve(h));
  }

  @Test
  void unknownOrEmptyHashResolvesToNothing() {
    agentWith("");
    db.sql("INSERT INTO agents (name, cluster_name) VALUES ($1, 'c')", "no-pak-" + UUID.randomUUID());
    db.sql("INSERT INTO generators (name) VALUES ($1)", "no-pak-" + UUID.randomUUID());
    assertEquals(Optional.empty(), resolve(hash()));
    assertEquals(Optional.empty(), resolve(""), "an agent without a PAK is never matched by the empty hash");
  }
}
