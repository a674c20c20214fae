package org.brokkr.broker.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code brokkr_eventbus_request_duration_seconds{address,outcome}}: from sending a request on the
 * event bus to its reply. {@code outcome} is {@code ok}, {@code failed} (the consumer answered with
 * a failure), {@code timeout} or {@code no_handler}. Addresses are the constants of
 * {@code Addresses}, so the series are bounded.
 */
public final class EventBusMetrics {
  private static final String[] OUTCOMES = {"ok", "failed", "timeout", "no_handler"};

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

  EventBusMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one request that started at {@code startNanos} ({@link System#nanoTime()}); {@code failure} null on success. */
  public void record(String address, long startNanos, Throwable failure) {
    long nanos = System.nanoTime() - startNanos;
    AtomicReferenceArray<Timer> byOutcome = timers.get(address);
    if (byOutcome == null) {
      byOutcome = timers.computeIfAbsent(address, a -> new AtomicReferenceArray<>(OUTCOMES.length));
    }
    int outcome = outcome(failure);
    Timer timer = byOutcome.get(outcome);
    if (timer == null) {
      // registering is idempotent: a race makes the same timer twice
      timer = Timer.builder("brokkr_eventbus_request_duration")
          .description("Event-bus request latency, from send to reply, by address and outcome")
          .tags("address", address, "outcome", OUTCOMES[outcome])
          .serviceLevelObjectives(BrokerMetrics.LATENCY_BUCKETS)
          .register(registry);
      byOutcome.set(outcome, timer);
    }
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  private static int outcome(Throwable failure) {
    if (failure == null) {
      return 0;
    }
    if (failure instanceof ReplyException re) {
      if (re.failureType() == ReplyFailure.TIMEOUT) {
        return 2;
      }
      if (re.failureType() == ReplyFailure.NO_HANDLERS) {
        return 3;
      }
    }
    return 1;
  }
}
