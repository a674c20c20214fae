package org.brokkr.broker.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code brokkr_http_requests_total{endpoint,method,status}} and
 * {@code brokkr_http_request_duration_seconds{endpoint,method}}, the reference's names, labels and
 * buckets. {@code endpoint} is a route template, never a raw path, so the series stay bounded. The
 * meters of an endpoint and method are looked up once and kept, so a request costs a map lookup
 * and two increments.
 */
public final class HttpMetrics {
  private record Key(String endpoint, String method) {}

  /** The meters of one endpoint and method; counters by status code, made on first use. */
  private final class Meters {
    final String endpoint;
    final String method;
    final Timer duration;
    final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);

    Meters(String endpoint, String method) {
      this.endpoint = endpoint;
      this.method = method;
      this.duration = Timer.builder("brokkr_http_request_duration")
          .description("HTTP request latency distribution in seconds")
          .tags("endpoint", endpoint, "method", method)
          .serviceLevelObjectives(BrokerMetrics.LATENCY_BUCKETS)
          .register(registry);
    }

    Counter counter(int status) {
      int slot = status >= 100 && status < 600 ? status : 0;
      Counter c = byStatus.get(slot);
      if (c == null) {
        c = Counter.builder("brokkr_http_requests")
            .description("Total number of HTTP requests by endpoint and status")
            .tags("endpoint", endpoint, "method", method, "status", String.valueOf(status))
            .register(registry);
        byStatus.set(slot, c);
      }
      return c;
    }
  }

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Key, Meters> meters = new ConcurrentHashMap<>();

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void record(String endpoint, String method, int status, long nanos) {
    Key key = new Key(endpoint, method);
    Meters m = meters.get(key);
    if (m == null) {
      m = meters.computeIfAbsent(key, k -> new Meters(k.endpoint(), k.method()));
    }
    m.counter(status).increment();
    m.duration.record(nanos, TimeUnit.NANOSECONDS);
  }
}
