package org.brokkr.broker;

import io.vertx.core.Deployable;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import org.brokkr.broker.audit.AuditLogCleanupVerticle;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.config.RetentionSettings;
import org.brokkr.broker.config.WebhookSettings;
import org.brokkr.broker.events.AgentEventRetentionVerticle;
import org.brokkr.broker.support.Channels;
import org.brokkr.broker.telemetry.TelemetryEvictionVerticle;
import org.brokkr.broker.telemetry.TelemetryRetention;
import org.brokkr.broker.webhooks.DeliveryCleanupVerticle;
import org.brokkr.broker.webhooks.DeliveryWorkerVerticle;
import org.brokkr.broker.webhooks.EventDispatcherVerticle;
import org.brokkr.broker.webhooks.OutboxCleanupVerticle;
import org.brokkr.broker.webhooks.WebhookCipher;

/**
 * The broker's timer-driven workers of events and retention, one instance each per broker; every
 * one is safe with N replicas (SKIP LOCKED claims or a transaction-scoped advisory lock).
 */
final class BackgroundWorkers {
  private BackgroundWorkers() {}

  static List<Deployable> of(BrokerConfig config, Pool pool, PgConnectOptions listen, Channels channels) {
    WebhookSettings w = config.webhooks();
    RetentionSettings r = config.retention();
    List<Deployable> out = new ArrayList<>(List.of(
        new EventDispatcherVerticle(pool, listen, channels.outbox(), w.dispatchBatchSize(), w.dispatchIntervalSeconds(), config.kafka()),
        new DeliveryWorkerVerticle(pool, WebhookCipher.of(w.encryptionKey()), w),
        new DeliveryCleanupVerticle(pool, w.cleanupIntervalSeconds(), w.cleanupRetentionDays()),
        new OutboxCleanupVerticle(pool, r.outboxCleanupIntervalSeconds(), r.outboxRetentionHours()),
        new AuditLogCleanupVerticle(pool, r.auditCleanupIntervalSeconds(), r.auditLogRetentionDays())));
    out.add(new TelemetryEvictionVerticle(pool, TelemetryEvictionVerticle.INTERVAL_SECONDS, TelemetryRetention.CEILING_SECONDS));
    if (r.agentEventsRetentionDays() > 0) {
      out.add(new AgentEventRetentionVerticle(pool, r.agentEventsCleanupIntervalSeconds(), r.agentEventsRetentionDays()));
    }
    return out;
  }
}
