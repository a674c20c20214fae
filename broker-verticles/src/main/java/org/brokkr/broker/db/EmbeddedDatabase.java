package org.brokkr.broker.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The broker's embedded default: a PostgreSQL server whose data lives in a local directory. */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final DatabaseTarget target;

  private EmbeddedDatabase(EmbeddedPostgres postgres, DatabaseTarget target) {
    this.postgres = postgres;
    this.target = target;
  }

  /** Blocking: call from a worker or the main thread, never an event loop. */
  public static EmbeddedDatabase start(Path dataDir, Optional<String> schema) throws IOException {
    Path absolute = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(absolute);
    LOG.info("starting embedded PostgreSQL data_dir={}", absolute);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(absolute.resolve("pgdata"))
        .setOverrideWorkingDirectory(absolute.resolve("runtime").toFile())
        .setCleanDataDirectory(false)
        .setServerConfig("max_connections", "200")
        // the broker stops it itself, after its own connections are closed (no FATAL at shutdown)
        .setRegisterShutdownHook(false)
        .start();
    DatabaseTarget target = new DatabaseTarget("localhost", pg.getPort(), "postgres", "postgres", "postgres", schema);
    LOG.info("embedded PostgreSQL ready port={}", pg.getPort());
    return new EmbeddedDatabase(pg, target);
  }

  public DatabaseTarget target() {
    return target;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
