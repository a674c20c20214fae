package org.brokkr.broker.health;

import java.util.Collection;
import java.util.List;

/**
 * The four health statuses and the roll-up rule shared by object and stack health: any
 * {@code failing} makes the whole failing, else any {@code degraded} degraded, else any
 * {@code healthy} healthy, else (only unknowns, or nothing at all) {@code unknown}.
 */
public final class HealthStatus {
  public static final String HEALTHY = "healthy";
  public static final String DEGRADED = "degraded";
  public static final String FAILING = "failing";
  public static final String UNKNOWN = "unknown";
  public static final List<String> ALL = List.of(HEALTHY, DEGRADED, FAILING, UNKNOWN);

  private HealthStatus() {}

  public static boolean isValid(String status) {
    return ALL.contains(status);
  }

  /** The roll-up of some statuses (see the class comment). */
  public static String worst(Collection<String> statuses) {
    return worst(statuses.contains(FAILING), statuses.contains(DEGRADED), statuses.contains(HEALTHY));
  }

  /** The roll-up from which statuses occur at least once. */
  public static String worst(boolean anyFailing, boolean anyDegraded, boolean anyHealthy) {
    if (anyFailing) {
      return FAILING;
    }
    if (anyDegraded) {
      return DEGRADED;
    }
    return anyHealthy ? HEALTHY : UNKNOWN;
  }
}
