package org.brokkr.broker.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Waits for something asynchronous to become observable (a flushed audit row, a probe verdict),
 * polling every 20 ms. The bound only keeps a broken test from hanging: it is far above any
 * latency the code has, so a slow machine never trips it.
 */
public final class Eventually {
  private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(60);

  private Eventually() {}

  /** The first non-null value the probe returns; exceptions count as "not yet". */
  public static <T> T value(Callable<T> probe) {
    long deadline = System.nanoTime() + GIVE_UP_NANOS;
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = probe.call();
        if (v != null) {
          return v;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
    throw new AssertionError("the awaited state never appeared", last);
  }
}
