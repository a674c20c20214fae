package org.brokkr.broker.live;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fan-out of live frames to this replica's subscriber sockets: telemetry per stack, fleet
 * updates to every fleet subscriber. Publishing never waits for a subscriber (see
 * {@link LiveSubscriber}); it is safe from any thread. Everything that publishes goes through
 * here, so carrying frames to other replicas' subscribers is a matter of this one class.
 */
public final class LiveStreams {
  private final ConcurrentHashMap<UUID, Set<LiveSubscriber>> stacks = new ConcurrentHashMap<>();
  private final Set<LiveSubscriber> fleet = ConcurrentHashMap.newKeySet();

  /** A telemetry frame (encoded) about {@code stackId}. */
  public void stackFrame(UUID stackId, String frame) {
    Set<LiveSubscriber> subscribers = stacks.get(stackId);
    if (subscribers != null) {
      subscribers.forEach(s -> s.offer(frame));
    }
  }

  /** A {@code fleet_update} frame (encoded). */
  public void fleetFrame(String frame) {
    fleet.forEach(s -> s.offer(frame));
  }

  public boolean hasFleetSubscribers() {
    return !fleet.isEmpty();
  }

  /** Open subscriber sockets on this replica, of both kinds. */
  public int subscribers() {
    return fleet.size() + stacks.values().stream().mapToInt(Set::size).sum();
  }

  void add(LiveSubscriber s) {
    if (s.stackId == null) {
      fleet.add(s);
    } else {
      stacks.compute(s.stackId, (id, set) -> {
        Set<LiveSubscriber> out = set == null ? ConcurrentHashMap.newKeySet() : set;
        out.add(s);
        return out;
      });
    }
  }

  void remove(LiveSubscriber s) {
    if (s.stackId == null) {
      fleet.remove(s);
      return;
    }
    stacks.computeIfPresent(s.stackId, (id, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }
}
