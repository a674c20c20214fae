package org.brokkr.broker.telemetry;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.broker.deployments.TargetStateCache;

/**
 * Versions of what each agent is given, moved on by the target-state change notifications (the
 * same ones that drop computed target states). A socket keeps the set of its agent's stacks with
 * the versions it was read at and reads it again only when one moved, or when it is older than
 * {@link #MAX_AGE_NANOS} (a bound for notifications lost while the listener reconnects): so a
 * telemetry frame costs no query in steady state.
 */
public final class StackGrants {
  static final long MAX_AGE_NANOS = 60_000_000_000L;

  private final ConcurrentHashMap<UUID, Long> perAgent = new ConcurrentHashMap<>();
  private final AtomicLong everyone = new AtomicLong();

  public StackGrants(TargetStateCache targetStates) {
    targetStates.onChange(this::changed);
  }

  private void changed(UUID agent) {
    if (agent == null) {
      everyone.incrementAndGet();
      // versions restart from absent; every reader saw the global version move anyway
      perAgent.clear();
    } else {
      perAgent.merge(agent, 1L, Long::sum);
    }
  }

  /** The current version of an agent's grants (compare two with {@code equals}). */
  Version version(UUID agent) {
    return new Version(everyone.get(), perAgent.getOrDefault(agent, 0L));
  }

  record Version(long everyone, long agent) {}
}
