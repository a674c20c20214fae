package org.brokkr.broker.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Flyway over JDBC: blocking, so it is always run on a worker thread. */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static int migrate(DatabaseTarget target) {
    var config = Flyway.configure()
        .dataSource(target.jdbcUrl(), target.user(), target.password())
        .locations("classpath:db/migration")
        .connectRetries(10);
    target.schema().ifPresent(schema -> config.schemas(schema).defaultSchema(schema).createSchemas(true));
    Flyway flyway = config.load();
    LOG.info("migrating database {}", target.describe());
    long started = System.nanoTime();
    MigrateResult result = flyway.migrate();
    LOG.info("migrations done applied={} schema_version={} took_ms={}", result.migrationsExecuted,
        result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion, (System.nanoTime() - started) / 1_000_000);
    return result.migrationsExecuted;
  }
}
