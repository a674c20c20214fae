package org.brokkr.broker.config;

import org.brokkr.codecs.config.Settings;

/**
 * How long history is kept: the audit log, agent events and dispatched outbox rows, each swept by
 * its own worker. Retention names and defaults are the reference's; the intervals are its fixed ones.
 *
 * @param auditLogRetentionDays audit rows older than this are deleted
 * @param auditCleanupIntervalSeconds how often the audit log is swept (daily)
 * @param agentEventsRetentionDays agent events older than this are deleted; 0 or less keeps them all
 * @param agentEventsCleanupIntervalSeconds how often agent events are swept (hourly)
 * @param outboxRetentionHours dispatched outbox rows older than this are deleted
 * @param outboxCleanupIntervalSeconds how often the outbox is swept (hourly)
 */
public record RetentionSettings(
    int auditLogRetentionDays,
    int auditCleanupIntervalSeconds,
    int agentEventsRetentionDays,
    int agentEventsCleanupIntervalSeconds,
    int outboxRetentionHours,
    int outboxCleanupIntervalSeconds) {

  public static RetentionSettings from(Settings s) {
    return new RetentionSettings(
        s.integer("broker.audit_log_retention_days", 90, 1, 36_500),
        s.integer("broker.audit_cleanup_interval_seconds", 86_400, 1, 86_400 * 7),
        s.integer("broker.agent_events_retention_days", 30, -1, 36_500),
        s.integer("broker.agent_events_cleanup_interval_seconds", 3600, 1, 86_400 * 7),
        s.integer("broker.event_outbox_retention_hours", 24, 0, 24 * 3650),
        s.integer("broker.event_outbox_cleanup_interval_seconds", 3600, 1, 86_400 * 7));
  }
}
