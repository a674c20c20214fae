package org.brokkr.broker;

import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.function.Supplier;
import org.brokkr.broker.agents.AgentsVerticle;
import org.brokkr.broker.audit.AuditVerticle;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.auth.AuthVerticle;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.deployments.DeploymentObjectsVerticle;
import org.brokkr.broker.diagnostics.DiagnosticsVerticle;
import org.brokkr.broker.deployments.TargetStateCache;
import org.brokkr.broker.events.AgentEventsVerticle;
import org.brokkr.broker.fleet.FleetSnapshots;
import org.brokkr.broker.fleet.FleetVerticle;
import org.brokkr.broker.generators.GeneratorsVerticle;
import org.brokkr.broker.health.HealthVerticle;
import org.brokkr.broker.http.Operations;
import org.brokkr.broker.live.AgentSockets;
import org.brokkr.broker.live.LiveConnectionsVerticle;
import org.brokkr.broker.live.LiveStreams;
import org.brokkr.broker.ops.AdminConfigVerticle;
import org.brokkr.broker.stacks.StacksVerticle;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.telemetry.TelemetryHistoryVerticle;
import org.brokkr.broker.telemetry.TelemetryRetention;
import org.brokkr.broker.workorders.WorkOrderQueueVerticle;
import org.brokkr.broker.workorders.WorkOrdersVerticle;
import org.brokkr.broker.templates.TemplateInstantiationVerticle;
import org.brokkr.broker.templates.TemplatesVerticle;
import org.brokkr.broker.webhooks.AgentWebhooksVerticle;
import org.brokkr.broker.webhooks.WebhookCipher;
import org.brokkr.broker.webhooks.WebhooksVerticle;

/**
 * The broker's resource verticles, in deployment order. The same list is deployed and read for
 * {@link Operations}, so an API operation is declared once: in its verticle's {@code on(...)}.
 * The pool is a supplier because the HTTP front learns the operations before the database is up.
 */
public final class ResourceCatalog {
  private ResourceCatalog() {}

  public static List<Supplier<ResourceVerticle>> verticles(BrokerConfig config, Supplier<Pool> pool, AuthCache auth,
      TargetStateCache targetStates, AgentSockets sockets, LiveStreams streams) {
    FleetSnapshots fleet = new FleetSnapshots(config.fleetSnapshotMaxAgeMillis());
    WebhookCipher webhookCipher = WebhookCipher.of(config.webhooks().encryptionKey());
    return List.of(
        () -> new AuthVerticle(pool.get()),
        () -> new GeneratorsVerticle(pool.get(), config.pakFormat(), auth, config.agentSelfRegistration()),
        () -> new AgentsVerticle(pool.get(), config.pakFormat(), auth),
        () -> new StacksVerticle(pool.get()),
        () -> new DeploymentObjectsVerticle(pool.get(), targetStates),
        () -> new AgentEventsVerticle(pool.get()),
        () -> new WorkOrdersVerticle(pool.get()),
        () -> new WorkOrderQueueVerticle(pool.get()),
        () -> new TemplatesVerticle(pool.get()),
        () -> new TemplateInstantiationVerticle(pool.get(), config.maxBodyBytes()),
        () -> new AuditVerticle(pool.get()),
        () -> new DiagnosticsVerticle(pool.get()),
        () -> new HealthVerticle(pool.get()),
        () -> new FleetVerticle(pool.get(), fleet),
        () -> new WebhooksVerticle(pool.get(), webhookCipher),
        () -> new AgentWebhooksVerticle(pool.get(), webhookCipher, config.webhooks().claimTtlSeconds()),
        () -> new AdminConfigVerticle(pool.get()),
        () -> new LiveConnectionsVerticle(pool.get(), sockets, streams),
        () -> new TelemetryHistoryVerticle(pool.get(), TelemetryRetention.CEILING_SECONDS));
  }

  /** Which address owns each operation: one blueprint instance of every verticle, never deployed. */
  public static Operations operations(List<Supplier<ResourceVerticle>> verticles) {
    return Operations.of(verticles.stream().map(Supplier::get).toList());
  }
}
