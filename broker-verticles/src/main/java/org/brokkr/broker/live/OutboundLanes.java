package org.brokkr.broker.live;

import java.util.ArrayDeque;

/**
 * The frames waiting to be written on one agent socket, in two bounded lanes: control (pushes that
 * ask the agent to act, cap {@value #CONTROL_CAP}) always goes before telemetry (cap
 * {@value #TELEMETRY_CAP}). A full lane refuses the frame; nothing here ever waits or grows.
 */
final class OutboundLanes {
  static final int CONTROL_CAP = 64;
  static final int TELEMETRY_CAP = 1024;

  enum Lane {
    CONTROL(CONTROL_CAP), TELEMETRY(TELEMETRY_CAP);

    final int cap;

    Lane(int cap) {
      this.cap = cap;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final ArrayDeque<String> control = new ArrayDeque<>();
  private final ArrayDeque<String> telemetry = new ArrayDeque<>();

  /** Queues {@code frame}; false when its lane is full. */
  synchronized boolean offer(Lane lane, String frame) {
    ArrayDeque<String> queue = lane == Lane.CONTROL ? control : telemetry;
    if (queue.size() >= lane.cap) {
      return false;
    }
    queue.add(frame);
    return true;
  }

  /** The next frame to write, control first; null when both lanes are empty. */
  synchronized String poll() {
    String next = control.poll();
    return next != null ? next : telemetry.poll();
  }

  synchronized int size(Lane lane) {
    return (lane == Lane.CONTROL ? control : telemetry).size();
  }

  synchronized void clear() {
    control.clear();
    telemetry.clear();
  }
}
