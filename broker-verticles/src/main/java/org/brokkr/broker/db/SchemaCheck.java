package org.brokkr.broker.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database's schema already is what the jar ships, read through the reactive pool
 * before Flyway is loaded at all: Flyway and its JDBC connection cost most of a restart's
 * migration step even when nothing is pending. Current means exactly the packaged versioned
 * scripts applied, each successfully and with the same checksum; anything else (a fresh
 * database, a pending or failed script, a changed or unknown one) is left to Flyway, which
 * migrates or reports the inconsistency as it always has.
 */
public final class SchemaCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);

  private SchemaCheck() {}

  public static Future<Boolean> isCurrent(Vertx vertx, Pool pool, Optional<String> schema) {
    String table = schema.map(s -> "\"" + s.replace("\"", "\"\"") + "\".").orElse("") + "flyway_schema_history";
    String sql = "SELECT version, script, checksum, success FROM " + table + " WHERE version IS NOT NULL";
    // the scripts are read while the first connection is made and the history queried
    Future<Map<String, PackagedMigrations.Script>> scripts = vertx.executeBlocking(PackagedMigrations::list);
    return pool.query(sql).execute()
        .compose(rows -> scripts.map(packaged -> {
          Map<String, Row> applied = new HashMap<>();
          for (Row row : rows) {
            if (!Boolean.TRUE.equals(row.getBoolean("success"))) {
              return false;
            }
            applied.put(row.getString("version"), row);
          }
          if (!applied.keySet().equals(packaged.keySet())) {
            return false;
          }
          for (PackagedMigrations.Script script : packaged.values()) {
            Row row = applied.get(script.version());
            if (!script.file().equals(row.getString("script")) || !Objects.equals(row.getInteger("checksum"), script.checksum())) {
              return false;
            }
          }
          return true;
        }))
        .otherwise(e -> {
          // no history table yet (a fresh database) or nothing readable: Flyway decides
          LOG.debug("schema check inconclusive: {}", e.getMessage());
          return false;
        });
  }
}
