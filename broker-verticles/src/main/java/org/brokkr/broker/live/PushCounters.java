package org.brokkr.broker.live;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.brokkr.broker.live.OutboundLanes.Lane;

/** Frames of this replica's sockets by lane: queued for writing, and dropped (lane full or socket gone). */
public final class PushCounters {
  private final Map<Lane, LongAdder> queued = new EnumMap<>(Lane.class);
  private final Map<Lane, LongAdder> dropped = new EnumMap<>(Lane.class);

  PushCounters() {
    for (Lane lane : Lane.values()) {
      queued.put(lane, new LongAdder());
      dropped.put(lane, new LongAdder());
    }
  }

  /** The lanes' names, as metric labels. */
  public static String[] lanes() {
    return new String[] {Lane.CONTROL.label(), Lane.TELEMETRY.label()};
  }

  void queued(Lane lane) {
    queued.get(lane).increment();
  }

  void dropped(Lane lane) {
    dropped.get(lane).increment();
  }

  public long queued(String lane) {
    return queued.get(Lane.valueOf(lane.toUpperCase(java.util.Locale.ROOT))).sum();
  }

  public long dropped(String lane) {
    return dropped.get(Lane.valueOf(lane.toUpperCase(java.util.Locale.ROOT))).sum();
  }
}
