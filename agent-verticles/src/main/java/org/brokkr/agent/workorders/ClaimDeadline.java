package org.brokkr.agent.workorders;

import io.vertx.core.json.JsonObject;

/**
 * How long the agent may work on a claimed order. The broker hands a claim to another agent
 * {@code claim_timeout_seconds} after it was made, so waits end a margin before that: 10 % of the
 * timeout but at least 60 s, as the reference does for Jobs, and never more than half of it (a
 * short timeout still leaves time to wait). Times are this agent's monotonic clock, taken just
 * before the claim was sent, so the agent's deadline is never later than the broker's.
 */
public record ClaimDeadline(long claimedAtNanos, long claimTimeoutSeconds) {
  public static final long DEFAULT_CLAIM_TIMEOUT_SECONDS = 3600;

  /** The deadline of {@code order} (a {@code WorkOrder}), claimed at {@code claimedAtNanos}. */
  public static ClaimDeadline of(long claimedAtNanos, JsonObject order) {
    long timeout = DEFAULT_CLAIM_TIMEOUT_SECONDS;
    Object value = order.getValue("claim_timeout_seconds");
    if (value instanceof Number n && n.longValue() > 0) {
      timeout = n.longValue();
    }
    return new ClaimDeadline(claimedAtNanos, timeout);
  }

  public long marginMillis() {
    long timeoutMillis = claimTimeoutSeconds * 1000;
    return Math.min(Math.max(timeoutMillis / 10, 60_000), timeoutMillis / 2);
  }

  /** How long after the claim the agent waits for a BuildRun or Job. */
  public long waitMillis() {
    return claimTimeoutSeconds * 1000 - marginMillis();
  }

  public long remainingMillis() {
    return Math.max(0, waitMillis() - elapsedMillis());
  }

  public boolean expired() {
    return remainingMillis() == 0;
  }

  /** Time left before the broker gives the claim away (for reporting the result). */
  public long claimRemainingMillis() {
    return Math.max(0, claimTimeoutSeconds * 1000 - elapsedMillis());
  }

  public long elapsedMillis() {
    return (System.nanoTime() - claimedAtNanos) / 1_000_000;
  }

  /** For messages: how the wait limit came about. */
  public String describe() {
    return "claim_timeout_seconds=" + claimTimeoutSeconds + " minus a " + marginMillis() / 1000.0 + " s margin";
  }
}
