package org.brokkr.broker.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What Vert.x reports about the SQL pool and its connections, as broker meters. Every other
 * Vert.x metrics domain (HTTP server, event bus, TCP) is left unimplemented, so it costs nothing:
 * the broker measures requests itself, by route template and caller-visible status.
 *
 * <ul>
 *   <li>{@code brokkr_db_pool_connections_in_use}, {@code brokkr_db_pool_max_connections},
 *       {@code brokkr_db_pool_waiting}: connections lent out, the pool's limit, and callers waiting
 *       for one;
 *   <li>{@code brokkr_db_pool_wait_seconds}: how long a caller waited for a connection;
 *   <li>{@code brokkr_db_pool_usage_seconds}: how long a connection was held;
 *   <li>{@code brokkr_db_query_duration_seconds{statement,outcome}}: see {@link QueryMetrics}.
 * </ul>
 */
final class DatabaseMetrics implements VertxMetrics {
  private static final java.time.Duration[] WAIT_BUCKETS =
      BrokerMetrics.buckets(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5);

  private final BrokerMetrics broker;
  private final QueryMetrics queries;

  DatabaseMetrics(BrokerMetrics broker) {
    this.broker = broker;
    this.queries = new QueryMetrics(broker.registry());
  }

  BrokerMetrics broker() {
    return broker;
  }

  @Override
  public PoolMetrics<?, ?> createPoolMetrics(String poolType, String poolName, int maxPoolSize) {
    // the broker has one SQL pool; other pool types (worker pools) are not measured
    return "sql".equals(poolType) ? new SqlPool(broker.registry(), maxPoolSize) : null;
  }

  @Override
  public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
    return "sql".equals(type) ? queries : null;
  }

  /** Start times travel as boxed nanos; the pool hands them back to dequeue/end. */
  private static final class SqlPool implements PoolMetrics<Long, Long> {
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger inUse = new AtomicInteger();
    private final Timer wait;
    private final Timer usage;

    SqlPool(MeterRegistry registry, int maxPoolSize) {
      Gauge.builder("brokkr_db_pool_connections_in_use", inUse, AtomicInteger::get)
          .description("Database connections currently lent out by the pool").register(registry);
      Gauge.builder("brokkr_db_pool_max_connections", () -> maxPoolSize)
          .description("Most connections the pool opens").register(registry);
      Gauge.builder("brokkr_db_pool_waiting", waiting, AtomicInteger::get)
          .description("Callers waiting for a database connection").register(registry);
      wait = Timer.builder("brokkr_db_pool_wait")
          .description("Time a caller waited for a database connection")
          .serviceLevelObjectives(WAIT_BUCKETS).register(registry);
      usage = Timer.builder("brokkr_db_pool_usage")
          .description("Time a database connection was held by its borrower")
          .serviceLevelObjectives(BrokerMetrics.LATENCY_BUCKETS).register(registry);
    }

    @Override
    public Long enqueue() {
      waiting.incrementAndGet();
      return System.nanoTime();
    }

    @Override
    public void dequeue(Long since) {
      waiting.decrementAndGet();
      wait.record(System.nanoTime() - since, TimeUnit.NANOSECONDS);
    }

    @Override
    public Long begin() {
      inUse.incrementAndGet();
      return System.nanoTime();
    }

    @Override
    public void end(Long since) {
      inUse.decrementAndGet();
      usage.record(System.nanoTime() - since, TimeUnit.NANOSECONDS);
    }
  }
}
