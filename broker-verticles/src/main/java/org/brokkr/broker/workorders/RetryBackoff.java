package org.brokkr.broker.workorders;

/**
 * How long a failed order waits before it is offered again: {@code backoff_seconds x 2^n}, where n
 * is the retry count after this failure (so 120 s, 240 s, 480 s with the defaults). Saturates at
 * ten years, which only absurd settings reach, instead of overflowing the database's timestamps.
 */
public final class RetryBackoff {
  public static final long MAX_DELAY_SECONDS = 10L * 365 * 24 * 3600;

  private RetryBackoff() {}

  public static long delaySeconds(int backoffSeconds, int retryCount) {
    if (backoffSeconds <= 0) {
      return 0;
    }
    if (retryCount > 31) {
      // beyond 2^31 x 2^31 a long would overflow; the cap is far below anyway
      return MAX_DELAY_SECONDS;
    }
    long delay = (long) backoffSeconds << Math.max(0, retryCount);
    return Math.min(delay, MAX_DELAY_SECONDS);
  }
}
