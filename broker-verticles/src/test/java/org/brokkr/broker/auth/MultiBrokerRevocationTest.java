package org.brokkr.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two broker replicas (separate Vert.x instances) on one database: a PAK revoked through one
 * must stop working on the other within a second, even when the other has it cached.
 */
class MultiBrokerRevocationTest {
  static TestBroker a;
  static TestBroker b;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    // Same admin credential on both replicas (a configured hash is applied at every start), so
    // a.adminPak is the admin on both; b.adminPak is not.
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", adminHash()));
    fx = new Fixtures(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  private static String adminHash() {
    return Pak.hashOfPresented(a.adminPak).orElseThrow();
  }

  private static int verify(TestBroker broker, String pak) {
    return broker.as(pak).post("/auth/pak", null).statusCode();
  }

  /** Authenticates twice on the broker so that its cache holds the PAK. */
  private static void warm(TestBroker broker, String pak) {
    assertEquals(200, verify(broker, pak));
    assertEquals(200, verify(broker, pak));
  }

  private static void awaitRefused(TestBroker broker, String pak) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(1);
    while (true) {
      int status = verify(broker, pak);
      if (status == 401) {
        return;
      }
      assertEquals(200, status, "only 200 or 401 are expected while waiting");
      if (System.nanoTime() > deadline) {
        fail("revoked PAK still accepted after " + (System.nanoTime() - started) / 1_000_000 + " ms");
      }
      Thread.sleep(50);
    }
  }

  @Test
  void bothReplicasServeTheSameIdentities() {
    var gen = fx.generator();
    var body = b.as(gen.pak()).post("/auth/pak", null).bodyAsJsonObject();
    assertEquals(gen.id(), body.getString("generator"));
    assertEquals(200, b.as(a.adminPak).get("/generators/" + gen.id()).statusCode());
  }

  @Test
  void agentPakRotatedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    var agent = fx.agent(List.of());
    warm(b, agent.pak());

    var r = a.as(agent.pak()).post("/agents/" + agent.id() + "/rotate-pak", null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    String fresh = r.bodyAsJsonObject().getString("pak");
    assertNotEquals(agent.pak(), fresh);

    assertEquals(401, verify(a, agent.pak()), "refused at once where it was rotated");
    awaitRefused(b, agent.pak());
    var me = b.as(fresh).post("/auth/pak", null);
    assertEquals(200, me.statusCode(), me.bodyAsString());
    assertEquals(agent.id(), me.bodyAsJsonObject().getString("agent"));
  }

  @Test
  void agentDeletedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    var agent = fx.agent(List.of());
    warm(b, agent.pak());
    assertEquals(204, a.admin().delete("/agents/" + agent.id()).statusCode());
    awaitRefused(b, agent.pak());
  }

  @Test
  void generatorDeletedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    var gen = fx.generator();
    warm(b, gen.pak());
    assertEquals(200, b.as(gen.pak()).get("/generators/" + gen.id()).statusCode());

    assertEquals(204, a.admin().delete("/generators/" + gen.id()).statusCode());
    assertEquals(401, verify(a, gen.pak()));
    awaitRefused(b, gen.pak());
    assertEquals(404, b.as(a.adminPak).get("/generators/" + gen.id()).statusCode());
  }

  @Test
  void generatorPakRotatedThroughOneReplicaIsRefusedByTheOther() throws Exception {
    var gen = fx.generator();
    warm(b, gen.pak());
    var r = a.as(gen.pak()).post("/generators/" + gen.id() + "/rotate-pak", null);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    awaitRefused(b, gen.pak());
    assertEquals(gen.id(), b.as(r.bodyAsJsonObject().getString("pak")).post("/auth/pak", null)
        .bodyAsJsonObject().getString("generator"));
  }

  /**
   * The premise of the tests above: a replica really does serve a PAK from its cache, so it is
   * the invalidation notification, not a fresh lookup, that revokes it.
   */
  @Test
  void aWarmCacheIsRevokedByTheNotificationAlone() throws Exception {
    var agent = fx.agent(List.of());
    warm(b, agent.pak());
    String oldHash = Pak.hashOfPresented(agent.pak()).orElseThrow();
    String newHash = Pak.mint(Pak.Format.DEFAULT).hash();
    a.broker.pool().preparedQuery("UPDATE agents SET pak_hash = $2 WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(agent.id()), newHash)).await(10, TimeUnit.SECONDS);

    assertEquals(200, verify(b, agent.pak()), "served from the cache while nothing was notified");
    assertEquals(401, verify(a, agent.pak()), "the first replica never cached it");

    a.broker.pool().preparedQuery("SELECT pg_notify('brokkr_invalidate', $1)")
        .execute(Tuple.of(oldHash)).await(10, TimeUnit.SECONDS);
    awaitRefused(b, agent.pak());
  }

  @Test
  void withoutACacheEverythingStillWorks() throws Exception {
    try (TestBroker c = TestBroker.start(TestDatabase.fresh(), Map.of("broker.auth_cache_ttl_seconds", "0"))) {
      Fixtures cfx = new Fixtures(c);
      var gen = cfx.generator();
      var agent = cfx.agent(List.of(gen.id()));
      String stack = cfx.stack(gen);
      assertEquals(200, c.as(gen.pak()).get("/stacks/" + stack).statusCode());
      assertEquals(agent.id(), c.as(agent.pak()).post("/auth/pak", null).bodyAsJsonObject().getString("agent"));
      assertEquals(200, c.admin().get("/generators").statusCode());

      var r = c.as(agent.pak()).post("/agents/" + agent.id() + "/rotate-pak", null);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(401, verify(c, agent.pak()));
      assertEquals(200, verify(c, r.bodyAsJsonObject().getString("pak")));

      var target = c.as(gen.pak()).post("/agents/" + agent.id() + "/targets",
          new JsonObject().put("agent_id", agent.id()).put("stack_id", stack));
      assertEquals(201, target.statusCode(), target.bodyAsString());
      assertEquals(204, c.admin().delete("/generators/" + gen.id()).statusCode());
      assertEquals(401, verify(c, gen.pak()));
      assertEquals(404, c.admin().get("/stacks/" + stack).statusCode());
    }
  }
}
