package org.brokkr.broker.ops;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.metrics.MetricsOptions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The broker's meters in one Prometheus registry, scraped at {@code /metrics}. The HTTP, event-bus
 * and cache meters are ours; pool and query meters come from Vert.x through {@link DatabaseMetrics},
 * which exists only when the {@link Vertx} was built by {@link #vertx(VertxOptions)}.
 */
public final class BrokerMetrics {
  /** The reference's request-duration buckets, in seconds; reused for every latency histogram. */
  static final Duration[] LATENCY_BUCKETS = buckets(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

  /** The admin PAK hash the reference ships as its default: its PAK is public. */
  static final String PUBLIC_DEVELOPMENT_PAK_HASH = "4c697273df3d764cba950bb5c04368097685f09259f5bd880d892cf1ff9f4cdd";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpMetrics http = new HttpMetrics(registry);
  private final EventBusMetrics eventBus = new EventBusMetrics(registry);
  private final Map<String, TotalGauge> totalGauges = new ConcurrentSkipListMap<>();

  /** A Vert.x whose SQL pool and connections report to a fresh {@link BrokerMetrics}. */
  public static Vertx vertx(VertxOptions options) {
    return Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(new MetricsOptions().setEnabled(true)))
        .withMetrics(vertxOptions -> new DatabaseMetrics(new BrokerMetrics()))
        .build();
  }

  /** The metrics of a broker on {@code vertx}: those its Vert.x reports to, else new ones (no pool meters). */
  public static BrokerMetrics of(Vertx vertx) {
    if (vertx instanceof VertxInternal internal && internal.metrics() instanceof DatabaseMetrics db) {
      return db.broker();
    }
    return new BrokerMetrics();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public HttpMetrics http() {
    return http;
  }

  public EventBusMetrics eventBus() {
    return eventBus;
  }

  /**
   * {@code brokkr_cache_requests_total{cache,result=hit|miss}} and {@code brokkr_cache_entries{cache}},
   * read from the cache's own counters at scrape time (nothing is added to its lookups).
   */
  public <T> void cache(String name, T cache, ToLongFunction<T> hits, ToLongFunction<T> misses, ToIntFunction<T> entries) {
    // the meters hold the cache weakly: it lives as long as the broker that owns it
    FunctionCounter.builder("brokkr_cache_requests", cache, c -> hits.applyAsLong(c))
        .description("Cache lookups by cache and result").tags("cache", name, "result", "hit").register(registry);
    FunctionCounter.builder("brokkr_cache_requests", cache, c -> misses.applyAsLong(c))
        .description("Cache lookups by cache and result").tags("cache", name, "result", "miss").register(registry);
    Gauge.builder("brokkr_cache_entries", cache, c -> entries.applyAsInt(c))
        .description("Entries held by the cache").tags("cache", name).register(registry);
  }

  /** A counter read from its owner's own count at scrape time ({@code name} without {@code _total}). */
  public <T> void counter(String name, String help, T source, ToLongFunction<T> value, String... tags) {
    FunctionCounter.builder(name, source, c -> value.applyAsLong(c)).description(help).tags(tags).register(registry);
  }

  /**
   * {@code brokkr_ws_telemetry_frames_total{result}}: what became of the frames agents sent on
   * their sockets (accepted, or the reason they were dropped), {@code brokkr_ws_telemetry_rows_stored_total},
   * and {@code brokkr_ws_telemetry_write_queue} (rows waiting to be written).
   */
  public void telemetry(org.brokkr.broker.telemetry.TelemetryCounters c, java.util.function.IntSupplier queued) {
    Map<String, ToLongFunction<org.brokkr.broker.telemetry.TelemetryCounters>> results = Map.of(
        "accepted", org.brokkr.broker.telemetry.TelemetryCounters::accepted,
        "malformed", org.brokkr.broker.telemetry.TelemetryCounters::malformed,
        "wrong_agent", org.brokkr.broker.telemetry.TelemetryCounters::wrongAgent,
        "stack_not_given", org.brokkr.broker.telemetry.TelemetryCounters::stackNotGiven,
        "queue_full", org.brokkr.broker.telemetry.TelemetryCounters::queueFull,
        "write_failed", org.brokkr.broker.telemetry.TelemetryCounters::writeFailed);
    results.forEach((result, read) -> FunctionCounter.builder("brokkr_ws_telemetry_frames", c, x -> read.applyAsLong(x))
        .description("Frames agents sent on their live channel, by what became of them").tags("result", result)
        .register(registry));
    FunctionCounter.builder("brokkr_ws_telemetry_rows_stored", c, x -> x.stored())
        .description("Telemetry rows written to the database").register(registry);
    Gauge.builder("brokkr_ws_telemetry_write_queue", queued::getAsInt)
        .description("Telemetry rows waiting to be written").register(registry);
  }

  /** {@code brokkr_default_admin_pak_hash_in_use}: 1 when the configured admin PAK hash is the reference's public development hash. */
  public void adminPakHash(java.util.Optional<String> configured) {
    boolean inUse = configured.filter(PUBLIC_DEVELOPMENT_PAK_HASH::equalsIgnoreCase).isPresent();
    Gauge.builder("brokkr_default_admin_pak_hash_in_use", () -> inUse ? 1 : 0)
        .description("1 when the admin PAK hash is the publicly known development default").register(registry);
  }

  /**
   * A gauge whose reference name ends in {@code _total}: the Prometheus client behind Micrometer
   * reserves that suffix for counters and refuses such a gauge, so these few are written into the
   * exposition here, after the registry's own meters.
   */
  public void totalGauge(String name, String help, LongSupplier value) {
    if (!name.endsWith("_total")) {
      throw new IllegalArgumentException(name + ": register other gauges with the registry");
    }
    totalGauges.put(name, new TotalGauge(help, value));
  }

  /** The Prometheus text exposition (format 0.0.4). */
  public String scrape() {
    StringBuilder out = new StringBuilder(registry.scrape());
    totalGauges.forEach((name, g) -> out.append("# HELP ").append(name).append(' ').append(g.help()).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n")
        .append(name).append(' ').append(g.value().getAsLong()).append('\n'));
    return out.toString();
  }

  private record TotalGauge(String help, LongSupplier value) {}

  static Duration[] buckets(double... seconds) {
    Duration[] out = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
    }
    return out;
  }
}
