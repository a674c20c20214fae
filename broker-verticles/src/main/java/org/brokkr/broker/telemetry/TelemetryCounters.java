package org.brokkr.broker.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the telemetry frames agents sent to this replica, since start. Every frame that
 * is not stored or broadcast is counted under the reason it was dropped; none of them fails the
 * socket it came on.
 */
public final class TelemetryCounters {
  /** Frames broadcast (and, for events and log lines, queued for storage). */
  final LongAdder accepted = new LongAdder();
  /** Rows written to the database. */
  final LongAdder stored = new LongAdder();
  /** Frames that did not parse as a frame of their type. */
  final LongAdder malformed = new LongAdder();
  /** Frames whose body names another agent than the socket's. */
  final LongAdder wrongAgent = new LongAdder();
  /** Frames about a stack the agent is not given. */
  final LongAdder stackNotGiven = new LongAdder();
  /** Rows not stored because the write queue was full. */
  final LongAdder queueFull = new LongAdder();
  /** Rows the database refused (a stack deleted meanwhile, a value PostgreSQL cannot hold). */
  final LongAdder writeFailed = new LongAdder();

  public long accepted() {
    return accepted.sum();
  }

  public long stored() {
    return stored.sum();
  }

  public long malformed() {
    return malformed.sum();
  }

  public long wrongAgent() {
    return wrongAgent.sum();
  }

  public long stackNotGiven() {
    return stackNotGiven.sum();
  }

  public long queueFull() {
    return queueFull.sum();
  }

  public long writeFailed() {
    return writeFailed.sum();
  }

  /** A frame of any type refused because it speaks for another agent. */
  public void countWrongAgent() {
    wrongAgent.increment();
  }

  /** A frame that did not parse. */
  public void countMalformed() {
    malformed.increment();
  }
}
