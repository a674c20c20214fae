package org.brokkr.codecs;

/** Every event-bus address of the system; no literal address appears anywhere else. */
public final class Addresses {
  public static final String AUTH_VERIFY = "brokkr.auth.verify";
  public static final String AUTH = "brokkr.auth";
  public static final String GENERATORS = "brokkr.generators";
  public static final String AGENTS = "brokkr.agents";
  public static final String STACKS = "brokkr.stacks";
  public static final String DEPLOYMENT_OBJECTS = "brokkr.deployment-objects";
  public static final String AGENT_EVENTS = "brokkr.agent-events";
  public static final String TEMPLATES = "brokkr.templates";
  public static final String TEMPLATE_INSTANTIATION = "brokkr.templates.instantiation";
  public static final String AUDIT = "brokkr.audit";
  /** Work-order management and log (admin). */
  public static final String WORK_ORDERS = "brokkr.work-orders";
  /** The queue side of work orders: pending lists, claims and completions. */
  public static final String WORK_ORDER_QUEUE = "brokkr.work-orders.queue";
  public static final String DIAGNOSTICS = "brokkr.diagnostics";
  public static final String HEALTH = "brokkr.health";
  public static final String FLEET = "brokkr.fleet";
  public static final String WEBHOOKS = "brokkr.webhooks";
  public static final String AGENT_WEBHOOKS = "brokkr.webhooks.agent";
  /** Telemetry history of stacks (Kubernetes events and pod log lines). */
  public static final String TELEMETRY = "brokkr.telemetry";
  /** The agent live channel's admin view (open sockets of the deployment). */
  public static final String LIVE_CONNECTIONS = "brokkr.live.connections";
  /** Published locally: an agent's fleet record may have changed (body: the agent id), for the fleet's live subscribers. */
  public static final String FLEET_AGENT_CHANGED = "brokkr.fleet.agent-changed";
  /** Published locally: deliveries the broker posts itself are due (body: JSON array of subscription ids). */
  public static final String WEBHOOK_DELIVERIES_DUE = "brokkr.webhooks.deliveries-due";
  /** Fire-and-forget: a request was refused for an unknown PAK (written to the audit log). */
  public static final String AUDIT_AUTH_FAILED = "brokkr.audit.auth-failed";

  /** The admin's configuration operations ({@code POST /admin/config/reload}). */
  public static final String CONFIG = "brokkr.config";
  /** Request to this broker's one configuration owner: load the sources again and apply what changed. */
  public static final String CONFIG_RELOAD = "brokkr.config.reload";
  /** Published locally after a reload changed runtime settings (body: {@code ReloadableSettings} JSON). */
  public static final String CONFIG_CHANGED = "brokkr.config.changed";
  /** Published locally when another replica reloaded (body: the notification's payload). */
  public static final String CONFIG_PEER_RELOADED = "brokkr.config.peer-reloaded";

  // --- the agent (addresses local to the agent's Vertx) ---
  /** Request to the agent's live socket: write this frame (body: its JSON text); fails when it cannot go that way. */
  public static final String AGENT_LIVE_UPLINK = "brokkr.agent.live.uplink";
  /** Fire-and-forget telemetry frame for the live socket (body: its JSON text); dropped when it cannot go. */
  public static final String AGENT_LIVE_TELEMETRY = "brokkr.agent.live.telemetry";
  /** A push said the target state changed: run a deployment check now. */
  public static final String AGENT_DEPLOYMENT_CHECK_NOW = "brokkr.agent.deployment-check.now";
  /** A push announced a work order: look for pending work orders now. */
  public static final String AGENT_WORK_ORDERS_NOW = "brokkr.agent.work-orders.now";

  private Addresses() {}
}
