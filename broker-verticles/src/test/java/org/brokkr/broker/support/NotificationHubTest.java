package org.brokkr.broker.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.deployments.TargetStateCache;
import org.brokkr.codecs.Identity;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.MigratedDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one LISTEN connection on a real database: payloads reach their channel's subscribers, a lost connection is told. */
class NotificationHubTest {
  static MigratedDatabase db;
  static Channels channels;
  static final List<String> invalidations = new CopyOnWriteArrayList<>();
  static final List<String> targetStates = new CopyOnWriteArrayList<>();
  static final List<Boolean> listening = new CopyOnWriteArrayList<>();
  static final TargetStateCache cache = new TargetStateCache(60_000, 100);
  static final AuthCache identities = new AuthCache(60, 100);

  @BeforeAll
  static void start() {
    db = MigratedDatabase.create();
    channels = MigratedDatabase.await(Channels.resolve(db.pool));
    NotificationHub hub = new NotificationHub(db.target.connectOptions())
        .subscribe(channels.invalidate(), invalidations::add)
        .subscribe(channels.targetState(), targetStates::add, listening::add)
        .subscribe(channels.targetState(), cache::changed, cache::listening)
        .subscribe(channels.invalidate(), identities::invalidate, up -> identities.invalidate("*"));
    MigratedDatabase.await(db.vertx.deployVerticle(hub));
    Eventually.value(() -> listening.contains(true) ? true : null);
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void eachChannelsPayloadsReachOnlyItsSubscribers() {
    String agent = UUID.randomUUID().toString();
    db.sql(Channels.notifySql(Channels.TARGET_STATE), agent);
    db.sql(Channels.notifySql(Channels.INVALIDATE), "some-hash");
    Eventually.value(() -> targetStates.contains(agent) && invalidations.contains("some-hash") ? true : null);
    assertTrue(!targetStates.contains("some-hash") && !invalidations.contains(agent));
  }

  @Test
  void aLostConnectionClearsTheCachesUntilTheHubListensAgain() {
    UUID agent = UUID.randomUUID();
    cache.put(agent, true, new JsonArray(), cache.generation());
    assertTrue(cache.get(agent, true).isPresent());
    identities.put("hash-" + agent, Identity.agent(agent), identities.generation());
    assertTrue(identities.get("hash-" + agent).isPresent());
    int before = listening.size();
    db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        + "AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'");
    // told of the loss, then of the new subscription
    Eventually.value(() -> listening.subList(before, listening.size()).contains(false) ? true : null);
    Eventually.value(() -> listening.get(listening.size() - 1) ? true : null);
    assertTrue(cache.get(agent, true).isEmpty(), "entries from before the loss are gone");
    assertTrue(identities.get("hash-" + agent).isEmpty(), "identities from before the loss are gone");
    // and notifications flow again on the new connection
    String after = UUID.randomUUID().toString();
    Eventually.value(() -> {
      db.sql(Channels.notifySql(Channels.TARGET_STATE), after);
      Thread.sleep(50);
      return targetStates.contains(after) ? true : null;
    });
    cache.put(agent, true, new JsonArray(), cache.generation());
    assertEquals(1, cache.size());
  }
}
