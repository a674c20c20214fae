package org.brokkr.broker.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.db.EmbeddedDatabase;
import org.brokkr.broker.db.Migrations;

/**
 * The database a CLI command works on, as {@code serve} would find it (same URL and schema, or the
 * embedded default), checked to answer and migrated, behind a pool of one or two connections.
 * Everything here blocks the calling (main) thread.
 */
final class CliDatabase implements AutoCloseable {
  static final long TIMEOUT_SECONDS = 60;

  final DatabaseTarget target;
  final Pool pool;
  private final EmbeddedDatabase embedded;

  private CliDatabase(DatabaseTarget target, Pool pool, EmbeddedDatabase embedded) {
    this.target = target;
    this.pool = pool;
    this.embedded = embedded;
  }

  static CliDatabase open(Vertx vertx, BrokerConfig config, int connections) {
    if (config.databaseUrl().isPresent()) {
      DatabaseTarget target = DatabaseTarget.fromUrl(config.databaseUrl().get(), config.databaseSchema());
      return ready(vertx, target, connections, null);
    }
    return embedded(vertx, config, connections);
  }

  /**
   * The embedded default: the server of a running broker (its port is in {@code postmaster.pid}),
   * else the data directory started here. A missing data directory is an error rather than a new
   * empty database in whatever directory the command was typed.
   */
  private static CliDatabase embedded(Vertx vertx, BrokerConfig config, int connections) {
    Path data = Path.of(config.embeddedDataDir()).toAbsolutePath().normalize();
    Path pgdata = data.resolve("pgdata");
    if (!Files.isDirectory(pgdata)) {
      throw new CliFailure("no database: BROKKR__DATABASE__URL is not set and there is no embedded database in " + data
          + " (start the broker once, or set BROKKR__DATABASE__URL)");
    }
    Optional<Integer> port = runningPort(pgdata);
    if (port.isPresent()) {
      DatabaseTarget running = new DatabaseTarget("localhost", port.get(), "postgres", "postgres", "postgres", config.databaseSchema());
      try {
        return ready(vertx, running, connections, null);
      } catch (CliFailure stale) {
        // a pid file left by a server that is gone: start the data directory here instead
      }
    }
    EmbeddedDatabase started;
    try {
      started = EmbeddedDatabase.start(data, config.databaseSchema());
    } catch (IOException | RuntimeException e) {
      throw new CliFailure("cannot start the embedded database in " + data + ": " + BrokerCli.describe(e));
    }
    try {
      return ready(vertx, started.target(), connections, started);
    } catch (Exception e) {
      closeQuietly(started);
      throw e;
    }
  }

  /** Line 4 of PostgreSQL's pid file is the port it listens on. */
  private static Optional<Integer> runningPort(Path pgdata) {
    try {
      List<String> lines = Files.readAllLines(pgdata.resolve("postmaster.pid"));
      return lines.size() < 4 ? Optional.empty() : Optional.of(Integer.parseInt(lines.get(3).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static CliDatabase ready(Vertx vertx, DatabaseTarget target, int connections, EmbeddedDatabase embedded) {
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(connections).setShared(false)
            .setConnectionTimeout(10).setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .with(new NetClientOptions().setConnectTimeout(5_000))
        .connectingTo(target.connectOptions())
        .using(vertx)
        .build();
    try {
      await(pool.query("SELECT 1").execute());
    } catch (Exception e) {
      await(pool.close());
      throw new CliFailure("cannot reach the database " + target.describe() + ": " + BrokerCli.describe(e));
    }
    try {
      Migrations.migrate(target);
    } catch (Exception e) {
      await(pool.close());
      throw new CliFailure("cannot migrate the database " + target.describe() + ": " + BrokerCli.describe(e));
    }
    return new CliDatabase(target, pool, embedded);
  }

  /** The value of a database call, waited for on this (non-Vert.x) thread. */
  static <T> T await(Future<T> future) {
    try {
      return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new CliFailure("the database did not answer within " + TIMEOUT_SECONDS + " s");
    }
  }

  @Override
  public void close() {
    try {
      await(pool.close());
    } finally {
      if (embedded != null) {
        closeQuietly(embedded);
      }
    }
  }

  private static void closeQuietly(EmbeddedDatabase db) {
    try {
      db.close();
    } catch (IOException | RuntimeException ignored) {
      // the command's outcome is already decided; a slow server shutdown changes nothing
    }
  }
}
