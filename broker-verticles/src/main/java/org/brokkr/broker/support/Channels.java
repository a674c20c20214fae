package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

/**
 * The names of this broker's notification channels, as PostgreSQL's {@code brokkr_channel(base)}
 * gives them for the schema in use: the base names in {@code public}, schema-specific ones
 * otherwise, so brokers of different schemas on one database never hear each other. Senders call
 * the same function in SQL; listeners learn the names here, once at startup.
 */
public record Channels(String targetState, String invalidate, String outbox, String config, String push, String live) {
  public static final String TARGET_STATE = "brokkr_target_state";
  public static final String INVALIDATE = "brokkr_invalidate";
  public static final String OUTBOX = "brokkr_outbox";
  public static final String CONFIG = "brokkr_config_reload";
  /** Live-channel pushes due: ids of what changed, for the replicas holding the agents' sockets. */
  public static final String PUSH = "brokkr_push";
  /** Live subscriber frames between replicas. */
  public static final String LIVE = "brokkr_live";

  /** {@code SELECT pg_notify(<channel>, $1)} for one base name, resolved where it runs. */
  public static String notifySql(String base) {
    return "SELECT pg_notify(brokkr_channel('" + base + "'), $1)";
  }

  public static Future<Channels> resolve(Pool pool) {
    return pool.query("SELECT brokkr_channel('" + TARGET_STATE + "'), brokkr_channel('" + INVALIDATE + "'), brokkr_channel('"
        + OUTBOX + "'), brokkr_channel('" + CONFIG + "'), brokkr_channel('" + PUSH + "'), brokkr_channel('" + LIVE + "')").execute().map(rows -> {
          Row r = rows.iterator().next();
          return new Channels(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
              r.getString(5));
        });
  }
}
