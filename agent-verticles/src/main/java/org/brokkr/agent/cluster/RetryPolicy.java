package org.brokkr.agent.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Which Kubernetes failures are worth another attempt (429, 500, 503, 504 and the matching
 * reasons), and exponential backoff with jitter between attempts, bounded in total time.
 * Everything else (400, 403, 404, 409, 422, ...) fails at once.
 */
public record RetryPolicy(long initialMillis, double multiplier, long maxIntervalMillis, long maxElapsedMillis) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(1_000, 2.0, 60_000, 300_000);
  public static final RetryPolicy NONE = new RetryPolicy(0, 1.0, 0, 0);

  private static final Set<Integer> RETRYABLE_STATUS = Set.of(429, 500, 503, 504);
  private static final Set<String> RETRYABLE_REASONS = Set.of("ServiceUnavailable", "InternalError", "Timeout");

  public static boolean isRetryable(Throwable t) {
    if (t instanceof ClusterCallException e) {
      return RETRYABLE_STATUS.contains(e.status()) || (e.reason() != null && RETRYABLE_REASONS.contains(e.reason()));
    }
    return false;
  }

  /** The delay before attempt {@code n} (1-based retry count), jittered by +-20 %. */
  public long delayMillis(int retry) {
    double base = initialMillis * Math.pow(multiplier, Math.max(0, retry - 1));
    double capped = Math.min(base, maxIntervalMillis);
    double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
    return Math.max(1, (long) (capped * jitter));
  }

  public <T> Future<T> run(Vertx vertx, Supplier<Future<T>> call) {
    Promise<T> promise = Promise.promise();
    attempt(vertx, call, promise, 0, System.nanoTime());
    return promise.future();
  }

  private <T> void attempt(Vertx vertx, Supplier<Future<T>> call, Promise<T> promise, int retries, long startedNanos) {
    call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        promise.complete(ar.result());
        return;
      }
      long elapsed = (System.nanoTime() - startedNanos) / 1_000_000;
      long delay = delayMillis(retries + 1);
      if (!isRetryable(ar.cause()) || maxElapsedMillis == 0 || elapsed + delay > maxElapsedMillis) {
        promise.fail(ar.cause());
        return;
      }
      vertx.setTimer(delay, id -> attempt(vertx, call, promise, retries + 1, startedNanos));
    });
  }
}
