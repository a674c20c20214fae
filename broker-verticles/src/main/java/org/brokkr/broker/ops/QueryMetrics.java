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
  record Running(Timers timers, long startNanos) {}

  /** The timers of one statement; the error timer is made at the first error, so idle series do not pile up. */
  final class Timers {
    final String statement;
    final Timer ok;
    volatile Timer error;

    Timers(String statement) {
      this.statement = statement;
      this.ok = timer(statement, "ok");
    }

    Timer error() {
      Timer t = error;
      if (t == null) {
        t = timer(statement, "error");
        error = t;
      }
      return t;
    }
  }

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timers> bySql = new ConcurrentHashMap<>();
  private volatile Timers other;

  QueryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Running requestBegin(String sql, Object request) {
    Timers timers = bySql.get(sql);
    if (timers == null) {
      timers = bySql.size() >= MAX_STATEMENTS ? other() : bySql.computeIfAbsent(sql, this::named);
    }
    return new Running(timers, System.nanoTime());
  }

  @Override
  public void responseEnd(Running running) {
    running.timers().ok.record(System.nanoTime() - running.startNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void requestReset(Running running) {
    running.timers().error().record(System.nanoTime() - running.startNanos(), TimeUnit.NANOSECONDS);
  }

  private Timers other() {
    Timers timers = other;
    if (timers == null) {
      timers = new Timers(OTHER);
      other = timers;
    }
    return timers;
  }

  private Timers named(String sql) {
    String name = StatementNames.of(sql);
    LOG.debug("sql statement={} text={}", name, StatementNames.oneLine(sql));
    return new Timers(name);
  }

  private Timer timer(String statement, String outcome) {
    return Timer.builder("brokkr_db_query_duration")
        .description("SQL statement latency, from sending it to its last row, by statement")
        .tags("statement", statement, "outcome", outcome)
        .serviceLevelObjectives(BrokerMetrics.LATENCY_BUCKETS)
        .register(registry);
  }
}
