package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final Vertx vertx = TestVertx.create();

  @AfterEach
  void close() {
    vertx.close();
  }

  private static ClusterCallException status(int code) {
    return new ClusterCallException(code, null, "HTTP " + code, null);
  }

  @Test
  void classifiesLikeTheReference() {
    for (int code : new int[] {429, 500, 503, 504}) {
      assertTrue(RetryPolicy.isRetryable(status(code)), code + " is retried");
    }
    for (int code : new int[] {400, 403, 404, 409, 422}) {
      assertFalse(RetryPolicy.isRetryable(status(code)), code + " fails at once");
    }
    assertTrue(RetryPolicy.isRetryable(new ClusterCallException(0, "ServiceUnavailable", "x", null)));
    assertFalse(RetryPolicy.isRetryable(new IllegalStateException("x")));
  }

  @Test
  void backoffGrowsAndIsCapped() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertTrue(p.delayMillis(1) >= 800 && p.delayMillis(1) <= 1200);
    assertTrue(p.delayMillis(3) >= 3200 && p.delayMillis(3) <= 4800);
    assertTrue(p.delayMillis(20) <= 72_000);
  }

  @Test
  void retriesTransientFailuresThenSucceeds() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RetryPolicy fast = new RetryPolicy(5, 2.0, 20, 5_000);
    String result = fast.run(vertx, () -> calls.incrementAndGet() < 3
        ? Future.<String>failedFuture(status(503)) : Future.succeededFuture("ok")).await(5, TimeUnit.SECONDS);
    assertEquals("ok", result);
    assertEquals(3, calls.get());
  }

  @Test
  void permanentFailuresAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();
    RetryPolicy fast = new RetryPolicy(5, 2.0, 20, 5_000);
    Future<String> f = fast.run(vertx, () -> {
      calls.incrementAndGet();
      return Future.failedFuture(status(422));
    });
    try {
      f.await(5, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // expected
    }
    assertTrue(f.failed());
    assertEquals(1, calls.get());
  }
}
