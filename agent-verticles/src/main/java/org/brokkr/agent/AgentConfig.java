package org.brokkr.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.agent.reconcile.Reconciler;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Settings;

/** The agent's typed configuration ({@code BROKKR__AGENT__*}), validated once at startup. */
public record AgentConfig(
    String brokerUrl,
    String pak,
    String agentName,
    String clusterName,
    int pollingIntervalSeconds,
    Optional<String> kubeconfigPath,
    int maxRetries,
    String healthHost,
    int healthPort,
    boolean deploymentHealthEnabled,
    int deploymentHealthIntervalSeconds,
    Optional<String> watchNamespace,
    List<UUID> generatorIds,
    String stateDir,
    int maxBackoffSeconds,
    String logLevel,
    String logFormat,
    // work orders: seconds between two status checks of a BuildRun or Job the agent waits for
    int workOrderStatusIntervalSeconds,
    // health and diagnostics: a full health report every this many health passes (changes go at once);
    // the diagnostics poll period (the reference's fixed 10 s)
    int deploymentHealthRefreshEvery,
    int diagnosticsIntervalSeconds,
    // webhooks: whether this agent posts the deliveries meant for its cluster, and how often it asks
    boolean webhooksEnabled,
    int webhooksIntervalSeconds,
    // a PEM bundle of the authorities trusted for an https broker_url, instead of the JVM's default ones
    Optional<String> tlsCaFile,
    // Kubernetes calls of a deployment check in flight at most (1: one at a time)
    int applyConcurrency,
    // live channel: never dial when true; the socket's URL (derived from broker_url unless set);
    // how many involved objects the Kubernetes event shipper remembers the stack of
    boolean wsForceRest,
    String wsUrl,
    int kubeEventUidCacheCap) {

  public static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("agent.broker_url", "http://localhost:3000"),
      Map.entry("agent.agent_name", "DEFAULT"),
      Map.entry("agent.cluster_name", "DEFAULT"),
      Map.entry("agent.polling_interval", "10"),
      Map.entry("agent.max_retries", "60"),
      Map.entry("agent.health_port", "8080"),
      Map.entry("agent.deployment_health_enabled", "true"),
      Map.entry("agent.deployment_health_interval", "60"),
      Map.entry("agent.state_dir", "./brokkr-agent-state"),
      Map.entry("agent.max_backoff_seconds", "300"),
      Map.entry("log.level", "info"),
      Map.entry("log.format", "text"),
      // work orders
      Map.entry("agent.work_order_status_interval", "5"),
      // health and diagnostics
      Map.entry("agent.deployment_health_refresh_every", "10"),
      Map.entry("agent.diagnostics_interval", "10"),
      // webhooks
      Map.entry("agent.webhooks_enabled", "true"),
      Map.entry("agent.webhooks_interval", "10"),
      Map.entry("agent.apply_concurrency", String.valueOf(Reconciler.DEFAULT_APPLY_CONCURRENCY)),
      Map.entry("agent.ws_force_rest", "false"),
      Map.entry("agent.kube_event_uid_cache_cap", "10000"));

  public static AgentConfig fromEnvironment(Map<String, String> env, List<String> args) {
    Map<String, String> effective = new java.util.HashMap<>(env);
    // --generator-ids wins over BROKKR__AGENT__GENERATOR_IDS, which wins over the legacy BROKKR_GENERATOR_IDS
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--generator-ids=")) {
        effective.put("BROKKR__AGENT__GENERATOR_IDS", a.substring("--generator-ids=".length()));
      } else if (a.equals("--generator-ids") && i + 1 < args.size()) {
        effective.put("BROKKR__AGENT__GENERATOR_IDS", args.get(++i));
      }
    }
    if (!effective.containsKey("BROKKR__AGENT__GENERATOR_IDS") && env.containsKey("BROKKR_GENERATOR_IDS")) {
      effective.put("BROKKR__AGENT__GENERATOR_IDS", env.get("BROKKR_GENERATOR_IDS"));
    }
    return from(Settings.load(DEFAULTS, effective));
  }

  public static AgentConfig from(Settings s) {
    String pak = s.nonBlank("agent.pak").map(String::trim).orElseThrow(() -> new ConfigException(
        "BROKKR__AGENT__PAK (agent.pak) is required: the agent's PAK, as returned by POST /api/v1/agents"));
    if (pak.split("_", -1).length != 3) {
      throw s.invalid("agent.pak", "<redacted>", "is not a PAK (expected prefix_short_long)");
    }
    String url = s.string("agent.broker_url", "http://localhost:3000").trim();
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw s.invalid("agent.broker_url", url, "must start with http:// or https://");
    }
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    List<UUID> generators = new ArrayList<>();
    for (String part : s.string("agent.generator_ids", "").split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        generators.add(UUID.fromString(part.trim()));
      } catch (IllegalArgumentException e) {
        // the reference skips malformed ids; so do we, but say so at startup
        org.slf4j.LoggerFactory.getLogger(AgentConfig.class).warn("ignoring malformed generator id '{}'", part.trim());
      }
    }
    String level = s.logLevel("info");
    String format = s.logFormat();
    return new AgentConfig(
        url,
        pak,
        s.string("agent.agent_name", "DEFAULT"),
        s.string("agent.cluster_name", "DEFAULT"),
        s.integer("agent.polling_interval", 10, 1, 86400),
        s.nonBlank("agent.kubeconfig_path"),
        s.integer("agent.max_retries", 60, 1, 100000),
        s.string("agent.health_host", "0.0.0.0"),
        s.integer("agent.health_port", 8080, 0, 65535),
        s.bool("agent.deployment_health_enabled", true),
        s.integer("agent.deployment_health_interval", 60, 1, 86400),
        s.nonBlank("agent.watch_namespace"),
        List.copyOf(generators),
        s.string("agent.state_dir", "./brokkr-agent-state"),
        s.integer("agent.max_backoff_seconds", 300, 1, 86400),
        level,
        format,
        // work orders
        s.integer("agent.work_order_status_interval", 5, 1, 3600),
        // health and diagnostics
        s.integer("agent.deployment_health_refresh_every", 10, 1, 100000),
        s.integer("agent.diagnostics_interval", 10, 1, 86400),
        // webhooks
        s.bool("agent.webhooks_enabled", true),
        s.integer("agent.webhooks_interval", 10, 1, 86400),
        s.nonBlank("agent.tls_ca_file").map(String::trim),
        s.integer("agent.apply_concurrency", Reconciler.DEFAULT_APPLY_CONCURRENCY, 1, 256),
        s.bool("agent.ws_force_rest", false),
        wsUrl(s, url),
        s.integer("agent.kube_event_uid_cache_cap", 10_000, 1, 10_000_000));
  }

  /** {@code agent.ws_url}, else broker_url with http→ws, https→wss, plus the socket's path (as the reference derives it). */
  static String wsUrl(Settings s, String brokerUrl) {
    Optional<String> set = s.nonBlank("agent.ws_url").map(String::trim);
    if (set.isPresent()) {
      String u = set.get();
      if (!u.startsWith("ws://") && !u.startsWith("wss://")) {
        throw s.invalid("agent.ws_url", u, "must start with ws:// or wss://");
      }
      return u;
    }
    return (brokerUrl.startsWith("https://") ? "wss://" + brokerUrl.substring(8) : "ws://" + brokerUrl.substring(7))
        + "/internal/ws/agent";
  }
}
