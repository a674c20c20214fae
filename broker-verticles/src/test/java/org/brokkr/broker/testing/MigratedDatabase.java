package org.brokkr.broker.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.db.Migrations;

/**
 * A fresh database with the schema migrated and a vertx-pg-client pool on it, for repository
 * tests (no broker, no HTTP). Everything here blocks the calling (JUnit) thread. Close it after
 * the class.
 */
public final class MigratedDatabase implements AutoCloseable {
  public final Vertx vertx;
  public final DatabaseTarget target;
  public final Pool pool;

  private MigratedDatabase(Vertx vertx, DatabaseTarget target, Pool pool) {
    this.vertx = vertx;
    this.target = target;
    this.pool = pool;
  }

  public static MigratedDatabase create() {
    DatabaseTarget target = TestDatabase.fresh();
    Migrations.migrate(target);
    Vertx vertx = TestVertx.create();
    Pool pool = PgBuilder.pool().connectingTo(target.connectOptions()).using(vertx).build();
    return new MigratedDatabase(vertx, target, pool);
  }

  /** The future's value; a failed future rethrows its cause. */
  public static <T> T await(Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("database call did not complete in 10 s", e);
    }
  }

  /** The cause of a future that must fail (an AssertionError when it succeeds). */
  public static Throwable failure(Future<?> future) {
    Object value;
    try {
      value = await(future);
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected a failure, got " + value);
  }

  /** Runs one statement with positional parameters ($1, $2, ...). */
  public RowSet<Row> sql(String sql, Object... args) {
    return await(pool.preparedQuery(sql).execute(Tuple.wrap(new ArrayList<>(Arrays.asList(args)))));
  }

  /** The first column of the first row, or null when there is no row. */
  public Object scalar(String sql, Object... args) {
    var it = sql(sql, args).iterator();
    return it.hasNext() ? it.next().getValue(0) : null;
  }

  public long count(String sql, Object... args) {
    return ((Number) scalar(sql, args)).longValue();
  }

  /** A live system generator (the broker's bootstrap makes one; migrations alone do not). */
  public UUID systemGenerator() {
    return (UUID) scalar("INSERT INTO generators (name, description, is_system) VALUES ($1, 'system', TRUE) RETURNING id",
        "__system__" + UUID.randomUUID());
  }

  /** The SQLSTATE of a database error (e.g. 23505 unique violation), or null for other errors. */
  public static String sqlState(Throwable t) {
    return t instanceof PgException pg ? pg.getSqlState() : null;
  }

  // --- seed rows by plain SQL, so a repository is tested against rows it did not write -------------

  public UUID generator() {
    return (UUID) scalar("INSERT INTO generators (name) VALUES ($1) RETURNING id", "gen-" + UUID.randomUUID());
  }

  public UUID agent() {
    return (UUID) scalar("INSERT INTO agents (name, cluster_name) VALUES ($1, 'cluster') RETURNING id",
        "agent-" + UUID.randomUUID());
  }

  public void register(UUID agentId, UUID generatorId) {
    sql("INSERT INTO agent_generator_registrations (agent_id, generator_id) VALUES ($1, $2)", agentId, generatorId);
  }

  public UUID stack(UUID generatorId) {
    return (UUID) scalar("INSERT INTO stacks (name, generator_id) VALUES ($1, $2) RETURNING id",
        "stack-" + UUID.randomUUID(), generatorId);
  }

  public UUID object(UUID stackId, String yaml) {
    return (UUID) scalar("INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum) VALUES ($1, $2, $3) RETURNING id",
        stackId, yaml, Integer.toHexString(yaml.hashCode()));
  }

  public UUID event(UUID agentId, UUID objectId, String status) {
    return (UUID) scalar("""
        INSERT INTO agent_events (agent_id, deployment_object_id, event_type, status) VALUES ($1, $2, 'DEPLOY', $3)
        RETURNING id""", agentId, objectId, status);
  }

  public void agentLabel(UUID agentId, String label) {
    sql("INSERT INTO agent_labels (agent_id, label) VALUES ($1, $2)", agentId, label);
  }

  public void stackLabel(UUID stackId, String label) {
    sql("INSERT INTO stack_labels (stack_id, label) VALUES ($1, $2)", stackId, label);
  }

  public void agentAnnotation(UUID agentId, String key, String value) {
    sql("INSERT INTO agent_annotations (agent_id, key, value) VALUES ($1, $2, $3)", agentId, key, value);
  }

  public void stackAnnotation(UUID stackId, String key, String value) {
    sql("INSERT INTO stack_annotations (stack_id, key, value) VALUES ($1, $2, $3)", stackId, key, value);
  }

  public void target(UUID agentId, UUID stackId) {
    sql("INSERT INTO agent_targets (agent_id, stack_id) VALUES ($1, $2)", agentId, stackId);
  }

  @Override
  public void close() {
    try {
      // one at a time from this thread: closing Vert.x from a callback of the pool's close hangs
      pool.close().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("pool or Vert.x did not close in 30 s", e);
    }
  }
}
