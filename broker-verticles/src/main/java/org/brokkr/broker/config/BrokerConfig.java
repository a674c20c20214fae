package org.brokkr.broker.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.brokkr.codecs.config.Settings;
import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.Pak;

/** The broker's typed configuration, validated once at startup. */
public record BrokerConfig(
    Optional<String> databaseUrl,
    Optional<String> databaseSchema,
    String embeddedDataDir,
    int databaseMaxConnections,
    String host,
    int port,
    long maxBodyBytes,
    long largeBodyBudgetBytes,
    Optional<String> adminPakHash,
    String adminPakFile,
    int authCacheTtlSeconds,
    int authCacheMaxEntries,
    Pak.Format pakFormat,
    String logLevel,
    String logFormat,
    int httpInstances,
    long targetStateCacheTtlMillis,
    List<Cidr> trustedProxies,
    boolean agentSelfRegistration,
    long workOrderMaintenanceIntervalMillis,
    int diagnosticCleanupIntervalSeconds,
    int diagnosticMaxAgeHours,
    long fleetSnapshotMaxAgeMillis,
    WebhookSettings webhooks,
    RetentionSettings retention,
    long metricsRefreshIntervalMillis,
    KafkaSettings kafka,
    TlsSettings tls,
    CorsSettings cors,
    // where these values came from, read again by a reload
    ConfigSource source) {

  /** Where a minted admin PAK goes when the broker uses an external database (the reference's path). */
  public static final String EXTERNAL_ADMIN_PAK_FILE = "/tmp/brokkr-keys/key.txt";
  /** Beside the data of the embedded database, so the key lives exactly as long as the data it opens. */
  public static final String EMBEDDED_ADMIN_PAK_FILE_NAME = "admin-pak.txt";

  /** Defaults for keys whose default is not "unset". */
  public static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("database.embedded_data_dir", "./brokkr-data"),
      Map.entry("database.max_connections", "20"),
      Map.entry("broker.host", "0.0.0.0"),
      Map.entry("broker.port", "3000"),
      Map.entry("broker.max_body_bytes", String.valueOf(10 * 1024 * 1024)),
      Map.entry("broker.auth_cache_ttl_seconds", "60"),
      Map.entry("broker.auth_cache_max_entries", "10000"),
      Map.entry("pak.prefix", "brokkr"),
      Map.entry("pak.short_token_prefix", "BR"),
      Map.entry("pak.short_token_length", "8"),
      Map.entry("pak.long_token_length", "24"),
      Map.entry("log.level", "debug"),
      Map.entry("log.format", "text"));

  public static BrokerConfig fromEnvironment(Map<String, String> env) {
    ConfigSource source = new ConfigSource(DEFAULTS, env);
    return from(source.load(), source);
  }

  /** Fixed settings (tests, tools): a reload finds nothing changed. */
  public static BrokerConfig from(Settings s) {
    return from(s, ConfigSource.fixed(s));
  }

  public static BrokerConfig from(Settings s, ConfigSource source) {
    Optional<String> schema = s.nonBlank("database.schema");
    schema.ifPresent(name -> {
      if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
        throw s.invalid("database.schema", name, "must match ^[A-Za-z][A-Za-z0-9_]*$");
      }
    });
    Optional<String> url = s.nonBlank("database.url");
    url.ifPresent(u -> {
      if (!u.startsWith("postgres://") && !u.startsWith("postgresql://")) {
        throw s.invalid("database.url", "<redacted>", "must start with postgres:// or postgresql://");
      }
    });
    Optional<String> pakHash = s.nonBlank("broker.pak_hash").map(String::trim);
    pakHash.ifPresent(h -> {
      if (!Pak.isHashShaped(h)) {
        throw s.invalid("broker.pak_hash", "<redacted>", "must be 64 hexadecimal characters (SHA-256 of the PAK's long token)");
      }
    });
    String level = s.logLevel("debug");
    String format = s.logFormat();
    String prefix = s.string("pak.prefix", "brokkr");
    String shortPrefix = s.string("pak.short_token_prefix", "BR");
    if (prefix.isEmpty() || prefix.contains("_")) {
      throw s.invalid("pak.prefix", prefix, "must be non-empty and contain no '_'");
    }
    if (shortPrefix.contains("_")) {
      throw s.invalid("pak.short_token_prefix", shortPrefix, "must contain no '_'");
    }
    Pak.Format pak = new Pak.Format(prefix, shortPrefix,
        s.integer("pak.short_token_length", 8, 1, 64),
        s.integer("pak.long_token_length", 24, 16, 128));
    return new BrokerConfig(
        url,
        schema,
        s.string("database.embedded_data_dir", "./brokkr-data"),
        s.integer("database.max_connections", 20, 1, 500),
        s.string("broker.host", "0.0.0.0"),
        s.integer("broker.port", 3000, 0, 65535),
        s.longValue("broker.max_body_bytes", 10L * 1024 * 1024, 1024, 1L << 31),
        // 0: a twentieth of the heap (see BodyAdmission)
        s.longValue("broker.large_body_budget_bytes", 0, 0, 1L << 40),
        pakHash.map(h -> h.toLowerCase(Locale.ROOT)),
        adminPakFile(s, url.isPresent()),
        s.integer("broker.auth_cache_ttl_seconds", 60, 0, 86400),
        s.integer("broker.auth_cache_max_entries", 10000, 1, 10_000_000),
        pak,
        level,
        format,
        s.integer("broker.http_instances", Math.max(1, 2 * Runtime.getRuntime().availableProcessors()), 1, 256),
        s.longValue("broker.target_state_cache_ttl_ms", 30_000, 0, 3_600_000),
        trustedProxies(s),
        s.choice("broker.agent_self_registration", "open", "open", "closed").equals("open"),
        s.longValue("broker.work_order_maintenance_interval_ms", 10_000, 10, 3_600_000),
        s.integer("broker.diagnostic_cleanup_interval_seconds", 900, 1, 86_400),
        s.integer("broker.diagnostic_max_age_hours", 1, 0, 8_760),
        s.longValue("broker.fleet_snapshot_max_age_ms", 1_000, 0, 60_000),
        WebhookSettings.from(s),
        RetentionSettings.from(s),
        s.longValue("broker.metrics_refresh_interval_ms", 15_000, 100, 3_600_000),
        KafkaSettings.from(s),
        TlsSettings.from(s),
        CorsSettings.from(s),
        source);
  }

  /** True when the broker runs its own PostgreSQL (no database URL configured). */
  public boolean embedded() {
    return databaseUrl.isEmpty();
  }

  private static String adminPakFile(Settings s, boolean external) {
    return s.nonBlank("broker.admin_pak_file").orElseGet(() -> external
        ? EXTERNAL_ADMIN_PAK_FILE
        : Path.of(s.string("database.embedded_data_dir", "./brokkr-data")).resolve(EMBEDDED_ADMIN_PAK_FILE_NAME).toString());
  }

  /** {@code broker.trusted_proxies}: comma-separated IP addresses or CIDR networks. */
  private static List<Cidr> trustedProxies(Settings s) {
    List<Cidr> out = new ArrayList<>();
    for (String item : s.string("broker.trusted_proxies", "").split(",")) {
      if (item.isBlank()) {
        continue;
      }
      try {
        out.add(Cidr.parse(item));
      } catch (IllegalArgumentException e) {
        throw s.invalid("broker.trusted_proxies", s.string("broker.trusted_proxies", ""), e.getMessage());
      }
    }
    return List.copyOf(out);
  }
}
