package org.brokkr.broker.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.MigratedDatabase;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.db.DatabaseTarget;
import org.junit.jupiter.api.Test;

/**
 * The cleanup worker: expiry of pending requests, failure of abandoned claims, deletion of old
 * finished requests (results with them), and one pass at a time across replicas.
 */
class DiagnosticCleanupTest {

  /** Rows of every lifecycle state, seeded by SQL (so ages can be in the past). */
  private record Seeded(UUID lapsedPending, UUID abandonedClaim, UUID livePending, UUID oldCompleted, UUID oldPending,
      UUID youngCompleted) {}

  private static Seeded seed(MigratedDatabase db) {
    UUID gen = db.generator();
    UUID agent = db.agent();
    UUID object = db.object(db.stack(gen), "kind: ConfigMap");
    Seeded s = new Seeded(
        request(db, agent, object, "pending", "now() - interval '1 second'", "now()"),
        request(db, agent, object, "claimed", "now() - interval '1 second'", "now()"),
        request(db, agent, object, "pending", "now() + interval '1 hour'", "now()"),
        request(db, agent, object, "completed", "now() - interval '1 hour'", "now() - interval '2 hours'"),
        request(db, agent, object, "pending", "now() + interval '1 hour'", "now() - interval '2 hours'"),
        request(db, agent, object, "completed", "now() + interval '1 hour'", "now() - interval '10 minutes'"));
    db.sql("INSERT INTO diagnostic_results (request_id, pod_statuses, events, collected_at) VALUES ($1, '[]', '[]', now())",
        s.oldCompleted());
    return s;
  }

  private static UUID request(MigratedDatabase db, UUID agent, UUID object, String status, String expiresAt, String createdAt) {
    return (UUID) db.scalar("INSERT INTO diagnostic_requests (agent_id, deployment_object_id, status, expires_at, created_at) "
        + "VALUES ($1, $2, $3, " + expiresAt + ", " + createdAt + ") RETURNING id", agent, object, status);
  }

  private static Row row(MigratedDatabase db, UUID id) {
    var it = db.sql("SELECT status, completed_at FROM diagnostic_requests WHERE id = $1", id).iterator();
    return it.hasNext() ? it.next() : null;
  }

  @Test
  void aPassExpiresFailsAndDeletesByTheRules() {
    try (MigratedDatabase db = MigratedDatabase.create()) {
      Seeded s = seed(db);
      DiagnosticCleanupVerticle worker = new DiagnosticCleanupVerticle(db.pool, 3600, 1);
      var sweep = MigratedDatabase.await(db.vertx.deployVerticle(worker).compose(id -> worker.runOnce()));
      assertEquals(new DiagnosticRepository.Sweep(1, 1, 1), sweep);
      assertEquals("expired", row(db, s.lapsedPending()).getString("status"));
      assertNull(row(db, s.lapsedPending()).getValue("completed_at"));
      assertEquals("failed", row(db, s.abandonedClaim()).getString("status"));
      assertNotNull(row(db, s.abandonedClaim()).getValue("completed_at"));
      assertEquals("pending", row(db, s.livePending()).getString("status"));
      assertNull(row(db, s.oldCompleted()), "finished over an hour ago: deleted");
      assertEquals(0, db.count("SELECT count(*) FROM diagnostic_results WHERE request_id = $1", s.oldCompleted()));
      assertEquals("pending", row(db, s.oldPending()).getString("status"), "old but still live: kept");
      assertEquals("completed", row(db, s.youngCompleted()).getString("status"), "finished recently: kept");
    }
  }

  @Test
  void aPassSkipsWhileAnotherReplicaHoldsTheLock() {
    try (MigratedDatabase db = MigratedDatabase.create()) {
      Seeded s = seed(db);
      DiagnosticCleanupVerticle worker = new DiagnosticCleanupVerticle(db.pool, 3600, 1);
      MigratedDatabase.await(db.vertx.deployVerticle(worker));
      var held = MigratedDatabase.await(db.pool.getConnection());
      try {
        MigratedDatabase.await(held.query("BEGIN").execute());
        MigratedDatabase.await(held.query("SELECT pg_advisory_xact_lock(" + DiagnosticCleanupVerticle.LOCK_KEY + ")").execute());
        assertNull(MigratedDatabase.await(worker.runOnce()), "another pass holds the lock: this one does nothing");
        assertEquals("pending", row(db, s.lapsedPending()).getString("status"));
        MigratedDatabase.await(held.query("COMMIT").execute());
      } finally {
        MigratedDatabase.await(held.close());
      }
      assertEquals(new DiagnosticRepository.Sweep(1, 1, 1), MigratedDatabase.await(worker.runOnce()));
    }
  }

  @Test
  void theBrokersWorkerRunsOnItsConfiguredInterval() {
    DatabaseTarget database = TestDatabase.fresh();
    Map<String, String> settings = Map.of("broker.diagnostic_cleanup_interval_seconds", "1",
        "broker.diagnostic_max_age_hours", "0");
    try (TestBroker one = TestBroker.start(database, settings);
         TestBroker two = TestBroker.start(database, settings)) {
      var pool = one.broker.pool();
      UUID gen = (UUID) scalar(pool, "INSERT INTO generators (name) VALUES ('g') RETURNING id");
      UUID agent = (UUID) scalar(pool, "INSERT INTO agents (name, cluster_name) VALUES ('a', 'c') RETURNING id");
      UUID stack = (UUID) scalar(pool, "INSERT INTO stacks (name, generator_id) VALUES ('s', $1) RETURNING id", gen);
      UUID object = (UUID) scalar(pool,
          "INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum) VALUES ($1, 'a: 1', 'x') RETURNING id", stack);
      UUID lapsed = (UUID) scalar(pool, "INSERT INTO diagnostic_requests (agent_id, deployment_object_id, expires_at) "
          + "VALUES ($1, $2, now() - interval '1 second') RETURNING id", agent, object);
      UUID live = (UUID) scalar(pool, "INSERT INTO diagnostic_requests (agent_id, deployment_object_id, expires_at) "
          + "VALUES ($1, $2, now() + interval '1 hour') RETURNING id", agent, object);
      // with a maximum age of 0 hours an expired request is deleted by the pass that expires it
      Eventually.value(() -> scalar(pool, "SELECT count(*) FROM diagnostic_requests WHERE id = $1", lapsed).equals(0L) ? true : null);
      assertEquals("pending", scalar(pool, "SELECT status FROM diagnostic_requests WHERE id = $1", live));
    } finally {
      TestDatabase.drop(database);
    }
  }

  private static Object scalar(io.vertx.sqlclient.Pool pool, String sql, Object... args) {
    Future<io.vertx.sqlclient.RowSet<Row>> rows = pool.preparedQuery(sql).execute(Tuple.from(args));
    var it = MigratedDatabase.await(rows).iterator();
    return it.hasNext() ? it.next().getValue(0) : null;
  }
}
