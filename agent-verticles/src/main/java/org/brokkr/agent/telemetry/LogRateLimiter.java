package org.brokkr.agent.telemetry;

/**
 * The reference's per-container log limit: at most {@link #LINES_PER_SECOND} lines in each 1 s
 * window; what is beyond is dropped, and the first drop of a window is announced (a {@code log_gap}).
 */
final class LogRateLimiter {
  static final int LINES_PER_SECOND = 100;

  enum Decision { SEND, DROP_AND_ANNOUNCE, DROP }

  private long windowStart = Long.MIN_VALUE;
  private int sent;
  private boolean announced;

  Decision offer(long nowMillis) {
    if (windowStart == Long.MIN_VALUE || nowMillis - windowStart >= 1_000) {
      windowStart = nowMillis;
      sent = 0;
      announced = false;
    }
    if (sent < LINES_PER_SECOND) {
      sent++;
      return Decision.SEND;
    }
    if (!announced) {
      announced = true;
      return Decision.DROP_AND_ANNOUNCE;
    }
    return Decision.DROP;
  }
}
