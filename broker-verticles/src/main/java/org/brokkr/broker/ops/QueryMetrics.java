package org.brokkr.broker.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.spi.metrics.ClientMetrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code brokkr_db_query_duration_seconds{statement,outcome}}: the time of every SQL statement,
 * from sending it to its last row, per statement. The SQL client reports the statement's text;
 * queries are constants beside their repository, so each text is one call site, named by
 * {@link StatementNames} (verb, first table, a hash of the text). The first time a statement is
 * seen its name and text are logged at debug, which is how a name leads back to its SQL.
 */
final class QueryMetrics implements ClientMetrics<QueryMetrics.Running, Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(QueryMetrics.class);
  /** More distinct statements than this (SQL built from input) share one series. */
  private static final int MAX_STATEMENTS = 500;
  private static final String OTHER = "other";

  /** A statement on its way: its timers and when it was sent. */
  record Running(Timer[] timers, long startNanos) {}

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer[]> bySql = new ConcurrentHashMap<>();
  private volatile Timer[] other;

  QueryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Running requestBegin(String sql, Object request) {
    Timer[] timers = bySql.get(sql);
    if (timers == null) {
      timers = bySql.size() >= MAX_STATEMENTS ? other() : bySql.computeIfAbsent(sql, this::named);
    }
    return new Running(timers, System.nanoTime());
  }

  @Override
  public void responseEnd(Running running) {
    running.timers()[0].record(System.nanoTime() - running.startNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void requestReset(Running running) {
    running.timers()[1].record(System.nanoTime() - running.startNanos(), TimeUnit.NANOSECONDS);
  }

  private Timer[] other() {
    Timer[] timers = other;
    if (timers == null) {
      timers = register(OTHER);
      other = timers;
    }
    return timers;
  }

  private Timer[] named(String sql) {
    String name = StatementNames.of(sql);
    LOG.debug("sql statement={} text={}", name, StatementNames.oneLine(sql));
    return register(name);
  }

  private Timer[] register(String statement) {
    return new Timer[] {timer(statement, "ok"), timer(statement, "error")};
  }

  private Timer timer(String statement, String outcome) {
    return Timer.builder("brokkr_db_query_duration")
        .description("SQL statement latency, from sending it to its last row, by statement")
        .tags("statement", statement, "outcome", outcome)
        .serviceLevelObjectives(BrokerMetrics.LATENCY_BUCKETS)
        .register(registry);
  }
}
