package org.brokkr.broker.live;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The fan-out of live frames to this replica's subscriber sockets: telemetry per stack, fleet
 * updates to every fleet subscriber. Publishing never waits for a subscriber (see
 * {@link LiveSubscriber}); it is safe from any thread. What is published here is also handed to
 * the relay ({@link LiveRelayVerticle}), which carries it to the other replicas' subscribers and
 * hands theirs back through {@link #relayed}.
 */
public final class LiveStreams {
  private final ConcurrentHashMap<UUID, Set<LiveSubscriber>> stacks = new ConcurrentHashMap<>();
  private final Set<LiveSubscriber> fleet = ConcurrentHashMap.newKeySet();
  private volatile Consumer<String> relay = item -> { };

  /** A telemetry frame (encoded) about {@code stackId}. */
  public void stackFrame(UUID stackId, String frame) {
    deliverStack(stackId, frame);
    relay.accept(STACK + stackId + ":" + frame);
  }

  /** A {@code fleet_update} frame (encoded). */
  public void fleetFrame(String frame) {
    deliverFleet(frame);
    relay.accept(FLEET + frame);
  }

  /** A {@code fleet_update} frame (encoded) for this replica's subscribers only. */
  public void localFleetFrame(String frame) {
    deliverFleet(frame);
  }

  static final String STACK = "s:";
  static final String FLEET = "f:";

  /** Where published frames go besides this replica's subscribers (one item: kind, stack, frame). */
  void relayTo(Consumer<String> relay) {
    this.relay = relay;
  }

  /** A frame published on another replica: to this replica's subscribers only. */
  void relayed(String item) {
    if (item.startsWith(FLEET)) {
      deliverFleet(item.substring(FLEET.length()));
    } else if (item.startsWith(STACK) && item.length() > STACK.length() + 37) {
      try {
        UUID stack = UUID.fromString(item.substring(STACK.length(), STACK.length() + 36));
        deliverStack(stack, item.substring(STACK.length() + 37));
      } catch (IllegalArgumentException e) {
        // not an item of ours: ignored
      }
    }
  }

  private void deliverStack(UUID stackId, String frame) {
    Set<LiveSubscriber> subscribers = stacks.get(stackId);
    if (subscribers != null) {
      subscribers.forEach(s -> s.offer(frame));
    }
  }

  private void deliverFleet(String frame) {
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
