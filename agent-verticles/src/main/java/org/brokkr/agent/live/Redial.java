package org.brokkr.agent.live;

import java.util.function.DoubleSupplier;

/**
 * When to dial the broker's socket again: 1 s, doubling up to 60 s, each wait ±20 % at random so
 * a fleet does not come back in step after a broker restart; a connection that got through starts
 * over at 1 s. Counts upgrade refusals in a row (401/403) to know when to give up.
 */
final class Redial {
  static final long FIRST_MILLIS = 1_000;
  static final long MAX_MILLIS = 60_000;
  static final int REFUSALS_TO_GIVE_UP = 5;

  private final DoubleSupplier random;
  private long next = FIRST_MILLIS;
  private int refusals;

  Redial(DoubleSupplier random) {
    this.random = random;
  }

  /** The wait before the next attempt; the one after it is twice as long (up to the cap). */
  long nextDelayMillis() {
    long base = next;
    next = Math.min(MAX_MILLIS, next * 2);
    return Math.round(base * (0.8 + 0.4 * random.getAsDouble()));
  }

  void connected() {
    next = FIRST_MILLIS;
    refusals = 0;
  }

  /** One more 401/403 on upgrade; true when that is the last one tolerated. */
  boolean refused() {
    return ++refusals >= REFUSALS_TO_GIVE_UP;
  }

  /** Failed for another reason (broker away, timeout): refusals are no longer in a row. */
  void failedOtherwise() {
    refusals = 0;
  }
}
