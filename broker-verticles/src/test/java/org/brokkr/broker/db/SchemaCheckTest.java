package org.brokkr.broker.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.Optional;
import org.brokkr.broker.testing.MigratedDatabase;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The check that lets a restart skip Flyway says "current" only for a history that is exactly
 * the packaged scripts with Flyway's own checksums; every other history goes to Flyway.
 */
class SchemaCheckTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = TestVertx.create();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static boolean current(DatabaseTarget target) {
    Pool pool = PgBuilder.pool().connectingTo(target.connectOptions()).using(vertx).build();
    try {
      return MigratedDatabase.await(SchemaCheck.isCurrent(vertx, pool, target.schema()));
    } finally {
      pool.close();
    }
  }

  @Test
  void aFreshDatabaseIsNotCurrent() {
    DatabaseTarget target = TestDatabase.fresh();
    try {
      assertFalse(current(target));
    } finally {
      TestDatabase.drop(target);
    }
  }

  @Test
  void aMigratedDatabaseIsCurrentWithFlywaysChecksums() throws Exception {
    try (MigratedDatabase db = MigratedDatabase.create()) {
      assertTrue(current(db.target));
      assertEquals(PackagedMigrations.list().size(), db.count("SELECT count(*) FROM flyway_schema_history WHERE version IS NOT NULL"));
      assertEquals(0, Migrations.migrate(db.target), "Flyway agrees that nothing is pending");
    }
  }

  @Test
  void aChangedChecksumAFailedOrAnUnknownVersionIsLeftToFlyway() {
    try (MigratedDatabase db = MigratedDatabase.create()) {
      db.sql("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
      assertFalse(current(db.target), "changed checksum");
      db.sql("UPDATE flyway_schema_history SET checksum = checksum - 1 WHERE version = '1'");
      assertTrue(current(db.target));
      db.sql("UPDATE flyway_schema_history SET success = false WHERE version = '2'");
      assertFalse(current(db.target), "failed script");
      db.sql("UPDATE flyway_schema_history SET success = true WHERE version = '2'");
      db.sql("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by,"
          + " execution_time, success) VALUES (999, '999', 'newer', 'SQL', 'V999__newer.sql', 1, 'brokkr', 0, true)");
      assertFalse(current(db.target), "a version newer than the jar's");
      db.sql("DELETE FROM flyway_schema_history WHERE version IN ('999', '7')");
      assertFalse(current(db.target), "a pending script");
    }
  }

  @Test
  void aSchemaIsCheckedInItsOwnHistory() {
    DatabaseTarget database = TestDatabase.fresh();
    try {
      DatabaseTarget tenant = new DatabaseTarget(database.host(), database.port(), database.database(), database.user(),
          database.password(), Optional.of("tenant_check"));
      Migrations.migrate(database);
      assertFalse(current(tenant), "public is migrated, the schema is not");
      Migrations.migrate(tenant);
      assertTrue(current(tenant));
    } finally {
      TestDatabase.drop(database);
    }
  }
}
