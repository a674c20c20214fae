package org.brokkr.broker.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.brokkr.broker.db.DatabaseTarget;

/**
 * One PostgreSQL server per test JVM and a fresh database per test class. The server is the one
 * named by {@code BROKKR_TEST_DATABASE_URL} when set (CI starts the machine's PostgreSQL);
 * otherwise an embedded server started once for the JVM.
 */
public final class TestDatabase {
  private static DatabaseTarget server;

  private TestDatabase() {}

  /** A new, empty database on the shared server. */
  public static synchronized DatabaseTarget fresh() {
    DatabaseTarget base = server();
    String name = "brokkr_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.user(), base.password());
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test database on " + base.describe(), e);
    }
    return base.withDatabase(name);
  }

  /** Drops a database made by {@link #fresh()}; best effort (the server may be going away). */
  public static synchronized void drop(DatabaseTarget target) {
    DatabaseTarget base = server();
    try (Connection c = DriverManager.getConnection(base.jdbcUrl(), base.user(), base.password());
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + target.database() + " WITH (FORCE)");
    } catch (Exception ignored) {
      // leftovers only cost disk space on a test server
    }
  }

  public static String url(DatabaseTarget t) {
    return "postgres://" + t.user() + ":" + t.password() + "@" + t.host() + ":" + t.port() + "/" + t.database();
  }

  private static DatabaseTarget server() {
    if (server != null) {
      return server;
    }
    String url = System.getenv("BROKKR_TEST_DATABASE_URL");
    if (url != null && !url.isBlank()) {
      server = DatabaseTarget.fromUrl(url, java.util.Optional.empty());
      return server;
    }
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (Exception ignored) {
          // the JVM is exiting
        }
      }));
      server = new DatabaseTarget("localhost", pg.getPort(), "postgres", "postgres", "postgres", java.util.Optional.empty());
      return server;
    } catch (Exception e) {
      throw new IllegalStateException("no test database: set BROKKR_TEST_DATABASE_URL or allow embedded PostgreSQL", e);
    }
  }
}
