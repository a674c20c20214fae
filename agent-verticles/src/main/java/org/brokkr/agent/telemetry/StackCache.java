package org.brokkr.agent.telemetry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The stack of an involved object, by its UID, as the event shipper last found it: a stack id,
 * or none (not ours, no stack annotation). Both answers are kept for {@link #TTL_NANOS}, so a
 * chatty object costs one lookup per five minutes; at most {@code cap} UIDs, the least recently
 * used going first. Used from one context only.
 */
final class StackCache {
  static final long TTL_NANOS = 5L * 60 * 1_000_000_000;

  private record Entry(Optional<String> stackId, long expiresAt) {}

  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Entry> entries;

  StackCache(int cap, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
        return size() > cap;
      }
    };
  }

  /** Empty when unknown or expired; otherwise the answer kept (itself possibly "no stack"). */
  Optional<Optional<String>> get(String uid) {
    Entry e = entries.get(uid);
    if (e == null) {
      return Optional.empty();
    }
    if (nanoClock.getAsLong() - e.expiresAt >= 0) {
      entries.remove(uid);
      return Optional.empty();
    }
    return Optional.of(e.stackId);
  }

  void put(String uid, Optional<String> stackId) {
    entries.put(uid, new Entry(stackId, nanoClock.getAsLong() + TTL_NANOS));
  }

  int size() {
    return entries.size();
  }
}
