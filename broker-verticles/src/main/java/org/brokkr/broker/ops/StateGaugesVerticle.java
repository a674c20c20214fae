package org.brokkr.broker.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.broker.support.FailureLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges that need the database, refreshed on a timer (never per scrape): agents, stacks and
 * deployment objects (the reference's names; {@code brokkr_deployment_objects_total} counts every
 * live object), the undispatched event outbox and the webhook delivery backlog. Three queries per
 * refresh; a failed refresh keeps the last values and counts the failure.
 */
public final class StateGaugesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StateGaugesVerticle.class);
  private static final String AGENTS = """
      SELECT id, name, status, EXTRACT(EPOCH FROM (now() - last_heartbeat))::float8 AS heartbeat_age
        FROM agents WHERE deleted_at IS NULL""";
  private static final String TOTALS = """
      SELECT (SELECT count(*) FROM stacks WHERE deleted_at IS NULL) AS stacks,
             (SELECT count(*) FROM deployment_objects WHERE deleted_at IS NULL) AS deployment_objects,
             count(*) AS outbox,
             COALESCE(EXTRACT(EPOCH FROM (now() - min(created_at)))::float8, 0) AS outbox_age
        FROM event_outbox WHERE dispatched_at IS NULL""";
  private static final String DELIVERIES = """
      SELECT status, count(*) AS n, EXTRACT(EPOCH FROM (now() - min(created_at)))::float8 AS age
        FROM webhook_deliveries WHERE status IN ('pending', 'acquired', 'failed') GROUP BY status""";
  /** Deliveries not yet done: waiting for a first attempt, claimed by a worker, or waiting for a retry. */
  private static final List<String> BACKLOG_STATES = List.of("pending", "acquired", "failed");

  private final Pool pool;
  private final long intervalMillis;
  private final MeterRegistry registry;
  private final BrokerMetrics metrics;
  private final AtomicLong activeAgents = new AtomicLong();
  private final AtomicLong stacks = new AtomicLong();
  private final AtomicLong deploymentObjects = new AtomicLong();
  private final AtomicLong outbox = new AtomicLong();
  private final AtomicLong outboxAgeMillis = new AtomicLong();
  private final AtomicLong pendingDeliveryAgeMillis = new AtomicLong();
  private final Map<String, AtomicLong> deliveries = new ConcurrentHashMap<>();
  private final AtomicLong lastRefreshEpochMillis = new AtomicLong();
  /** Heartbeat-age gauges by agent id; one gauge per agent for its lifetime, so scrapes never see churn. */
  private final Map<String, AgentAge> heartbeatAges = new HashMap<>();
  private Counter failures;
  private long timer = -1;
  private boolean running;

  public StateGaugesVerticle(Pool pool, BrokerMetrics metrics, long intervalMillis) {
    this.pool = pool;
    this.metrics = metrics;
    this.registry = metrics.registry();
    this.intervalMillis = intervalMillis;
  }

  @Override
  public Future<?> start() {
    Gauge.builder("brokkr_active_agents", activeAgents, AtomicLong::get)
        .description("Number of active agents").register(registry);
    metrics.totalGauge("brokkr_stacks_total", "Total number of stacks", stacks::get);
    metrics.totalGauge("brokkr_deployment_objects_total", "Total number of deployment objects", deploymentObjects::get);
    Gauge.builder("brokkr_event_outbox_undispatched", outbox, AtomicLong::get)
        .description("Events written to the outbox and not dispatched yet").register(registry);
    Gauge.builder("brokkr_event_outbox_oldest_age_seconds", outboxAgeMillis, v -> v.get() / 1000.0)
        .description("Age of the oldest undispatched outbox event (0 when there is none)").register(registry);
    for (String state : BACKLOG_STATES) {
      AtomicLong n = deliveries.computeIfAbsent(state, s -> new AtomicLong());
      Gauge.builder("brokkr_webhook_deliveries_backlog", n, AtomicLong::get)
          .description("Webhook deliveries not done yet, by status (failed: waiting for a retry)")
          .tags("status", state).register(registry);
    }
    Gauge.builder("brokkr_webhook_deliveries_oldest_pending_age_seconds", pendingDeliveryAgeMillis, v -> v.get() / 1000.0)
        .description("Age of the oldest webhook delivery waiting for its first attempt (0 when there is none)")
        .register(registry);
    Gauge.builder("brokkr_state_gauges_last_refresh_timestamp_seconds", lastRefreshEpochMillis, v -> v.get() / 1000.0)
        .description("When the database-backed gauges were last refreshed (Unix time)").register(registry);
    failures = Counter.builder("brokkr_state_gauges_refresh_failures")
        .description("Refreshes of the database-backed gauges that failed").register(registry);
    timer = vertx.setPeriodic(intervalMillis, id -> refresh());
    refresh();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** An agent's age gauge: a new one when the agent is new or renamed (its name is a label). */
  private AgentAge heartbeatAge(String id, String name) {
    AgentAge current = heartbeatAges.get(id);
    if (current != null && current.name.equals(name)) {
      return current;
    }
    if (current != null) {
      registry.remove(current.gauge);
    }
    AtomicLong seconds = new AtomicLong();
    Gauge gauge = Gauge.builder("brokkr_agent_heartbeat_age_seconds", seconds, AtomicLong::get)
        .description("Time since last heartbeat per agent in seconds")
        .tags("agent_id", id, "agent_name", name).register(registry);
    AgentAge fresh = new AgentAge(name, seconds, gauge);
    heartbeatAges.put(id, fresh);
    return fresh;
  }

  private record AgentAge(String name, AtomicLong seconds, Gauge gauge) {}

  /** One refresh; overlapping ticks are skipped. Visible for tests, which need not wait for the timer. */
  public Future<Void> refresh() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return pool.query(AGENTS).execute().map(rows -> {
          long active = 0;
          Set<String> seen = new HashSet<>();
          for (Row row : rows) {
            if ("ACTIVE".equals(row.getString("status"))) {
              active++;
            }
            Double age = row.getDouble("heartbeat_age");
            if (age != null) {
              String id = row.getUUID("id").toString();
              seen.add(id);
              heartbeatAge(id, row.getString("name")).seconds.set((long) Math.max(0, Math.floor(age)));
            }
          }
          activeAgents.set(active);
          heartbeatAges.entrySet().removeIf(e -> {
            boolean gone = !seen.contains(e.getKey());
            if (gone) {
              registry.remove(e.getValue().gauge);
            }
            return gone;
          });
          return null;
        })
        .compose(v -> pool.query(TOTALS).execute())
        .map(rows -> {
          Row row = rows.iterator().next();
          stacks.set(row.getLong("stacks"));
          deploymentObjects.set(row.getLong("deployment_objects"));
          outbox.set(row.getLong("outbox"));
          outboxAgeMillis.set(Math.round(row.getDouble("outbox_age") * 1000));
          return null;
        })
        .compose(v -> pool.query(DELIVERIES).execute())
        .<Void>map(rows -> {
          Map<String, Long> counts = new java.util.HashMap<>();
          long pendingAge = 0;
          for (Row row : rows) {
            counts.put(row.getString("status"), row.getLong("n"));
            if ("pending".equals(row.getString("status"))) {
              pendingAge = Math.round(row.getDouble("age") * 1000);
            }
          }
          for (String state : BACKLOG_STATES) {
            deliveries.get(state).set(counts.getOrDefault(state, 0L));
          }
          pendingDeliveryAgeMillis.set(pendingAge);
          lastRefreshEpochMillis.set(System.currentTimeMillis());
          return null;
        })
        .onFailure(e -> {
          failures.increment();
          LOG.warn("state gauges not refreshed: {}", FailureLog.oneLine(e.toString()));
        })
        .onComplete(ar -> running = false);
  }
}
