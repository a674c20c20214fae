package org.brokkr.broker.audit;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.brokkr.codecs.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records refused authentications without letting them amplify writes: failures are counted in
 * memory per client address and flushed once a second into one {@code auth.failed} audit row per
 * client address per minute, whose {@code details.count} says how many there were. Replicas add
 * to the same row through {@code auth_failure_windows}. One instance per broker.
 */
public final class AuthFailuresVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuthFailuresVerticle.class);
  /** Distinct client addresses held between flushes; beyond it, failures count under no address. */
  static final int MAX_PENDING_CLIENTS = 10_000;
  private static final long FLUSH_INTERVAL_MS = 1_000;
  private static final String NO_ADDRESS = "";

  private static final String UPSERT_WINDOW = """
      INSERT INTO auth_failure_windows (client_address, window_start, audit_log_id, failures)
      VALUES ($1, date_trunc('minute', now()), gen_random_uuid(), $2)
      ON CONFLICT (client_address, window_start)
      DO UPDATE SET failures = auth_failure_windows.failures + EXCLUDED.failures
      RETURNING audit_log_id, failures, window_start, (xmax = 0) AS inserted""";
  private static final String INSERT_AUDIT = """
      INSERT INTO audit_logs (id, timestamp, actor_type, action, resource_type, details, ip_address, user_agent)
      VALUES ($1, now(), 'system', 'auth.failed', 'system',
              jsonb_build_object('reason', 'invalid_pak', 'path', $2::text, 'count', $3::bigint), $4, $5)""";
  private static final String UPDATE_COUNT = """
      UPDATE audit_logs SET details = jsonb_set(details, '{count}', to_jsonb($2::bigint)) WHERE id = $1""";
  private static final String FORGET_OLD_WINDOWS =
      "DELETE FROM auth_failure_windows WHERE window_start < now() - interval '1 hour'";

  /** Failures seen since the last flush for one client address; path and agent of the first one. */
  private static final class Pending {
    long count;
    final String path;
    final String userAgent;

    Pending(String path, String userAgent) {
      this.path = path;
      this.userAgent = userAgent;
    }
  }

  private final Pool pool;
  private Map<String, Pending> pending = new LinkedHashMap<>();
  private boolean flushing;
  private long flushes;

  public AuthFailuresVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(FLUSH_INTERVAL_MS, id -> flush());
    return vertx.eventBus().<JsonObject>consumer(Addresses.AUDIT_AUTH_FAILED, this::count).completion();
  }

  @Override
  public Future<?> stop() {
    return flush();
  }

  private void count(Message<JsonObject> message) {
    JsonObject m = message.body();
    String client = m.getString("ip_address") == null ? NO_ADDRESS : m.getString("ip_address");
    if (!pending.containsKey(client) && pending.size() >= MAX_PENDING_CLIENTS) {
      client = NO_ADDRESS;
    }
    pending.computeIfAbsent(client, c -> new Pending(m.getString("path"), m.getString("user_agent"))).count++;
  }

  private Future<Void> flush() {
    if (flushing || pending.isEmpty()) {
      return Future.succeededFuture();
    }
    flushing = true;
    Map<String, Pending> batch = pending;
    pending = new LinkedHashMap<>();
    List<Future<Void>> writes = new ArrayList<>();
    batch.forEach((client, p) -> writes.add(pool.withTransaction(conn -> record(conn, client, p))
        .onFailure(e -> LOG.warn("could not record auth failures client={} count={}: {}", client, p.count, e.toString()))));
    Future<Void> housekeeping = ++flushes % 60 == 0
        ? pool.query(FORGET_OLD_WINDOWS).execute().<Void>mapEmpty().otherwise((Void) null)
        : Future.succeededFuture();
    return Future.join(writes).<Void>mapEmpty().otherwise((Void) null)
        .compose(v -> housekeeping)
        .onComplete(ar -> flushing = false);
  }

  /** Two statements: the second sees a row another replica committed while the first waited for it. */
  private static Future<Void> record(SqlConnection conn, String client, Pending p) {
    return conn.preparedQuery(UPSERT_WINDOW).execute(Tuple.of(client, p.count)).compose(rows -> {
      Row w = rows.iterator().next();
      if (w.getBoolean("inserted")) {
        return conn.preparedQuery(INSERT_AUDIT).execute(Tuple.of(w.getUUID("audit_log_id"), p.path, w.getLong("failures"),
            client.isEmpty() ? null : client, p.userAgent)).mapEmpty();
      }
      return conn.preparedQuery(UPDATE_COUNT).execute(Tuple.of(w.getUUID("audit_log_id"), w.getLong("failures"))).mapEmpty();
    });
  }
}
