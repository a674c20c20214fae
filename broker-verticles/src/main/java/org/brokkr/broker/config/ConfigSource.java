package org.brokkr.broker.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.brokkr.codecs.config.Settings;

/**
 * Where the broker's settings come from, kept so they can be read again: the defaults (or a
 * test's base values), the file {@code BROKKR_CONFIG_FILE} names, and the process environment.
 * The environment is the one the process started with; a reload sees changes of the file.
 */
public record ConfigSource(Map<String, String> base, Map<String, String> env, AtomicReference<String> configMapToml) {
  public static final String WATCHER_ENABLED_ENV = "BROKKR_CONFIG_WATCHER_ENABLED";
  public static final String WATCHER_DEBOUNCE_ENV = "BROKKR_CONFIG_WATCHER_DEBOUNCE_SECONDS";
  /** A ConfigMap to watch: {@code name} (in the broker's own namespace) or {@code namespace/name}. */
  public static final String CONFIGMAP_ENV = "BROKKR_CONFIG_CONFIGMAP";
  /** The ConfigMap's key holding TOML (default {@code broker.toml}). */
  public static final String CONFIGMAP_KEY_ENV = "BROKKR_CONFIG_CONFIGMAP_KEY";

  public ConfigSource {
    base = Map.copyOf(base);
    env = Map.copyOf(env);
  }

  public ConfigSource(Map<String, String> base, Map<String, String> env) {
    this(base, env, new AtomicReference<>());
  }

  /** The watched ConfigMap, as {@code [namespace or empty, name]}. */
  public Optional<String[]> configMap() {
    return Optional.ofNullable(env.get(CONFIGMAP_ENV)).map(String::trim).filter(v -> !v.isEmpty()).map(v -> {
      int slash = v.indexOf('/');
      return slash < 0 ? new String[] {"", v} : new String[] {v.substring(0, slash), v.substring(slash + 1)};
    });
  }

  public String configMapKey() {
    return Optional.ofNullable(env.get(CONFIGMAP_KEY_ENV)).map(String::trim).filter(v -> !v.isEmpty()).orElse("broker.toml");
  }

  /** Never the environment: it holds secrets. */
  @Override
  public String toString() {
    return "ConfigSource[file=" + file().map(Path::toString).orElse("none") + "]";
  }

  /** Fixed values only: reloading gives the same settings. */
  public static ConfigSource fixed(Settings s) {
    return new ConfigSource(s.values(), Map.of());
  }

  /**
   * Reads the sources again: the file from disk, then the watched ConfigMap's TOML as last seen;
   * invalid content throws {@code ConfigException}.
   */
  public Settings load() {
    return Settings.load(base, env, configMapToml.get(), "ConfigMap " + env.get(CONFIGMAP_ENV) + " key " + configMapKey());
  }

  public Optional<Path> file() {
    return Optional.ofNullable(env.get(Settings.CONFIG_FILE_ENV)).filter(f -> !f.isBlank()).map(Path::of);
  }

  /** The reference's switch: on unless {@code false} or {@code 0}. */
  public boolean watcherEnabled() {
    String raw = env.get(WATCHER_ENABLED_ENV);
    return raw == null || !(raw.trim().equalsIgnoreCase("false") || raw.trim().equals("0"));
  }

  /** Seconds between a change of the file and its reload (the reference's 5 by default). */
  public int debounceSeconds() {
    String raw = env.get(WATCHER_DEBOUNCE_ENV);
    if (raw == null || raw.isBlank()) {
      return 5;
    }
    try {
      int n = Integer.parseInt(raw.trim());
      if (n >= 0 && n <= 3600) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new org.brokkr.codecs.config.ConfigException("invalid configuration " + WATCHER_DEBOUNCE_ENV + " = '"
        + raw.trim().toLowerCase(Locale.ROOT) + "': must be an integer between 0 and 3600");
  }
}
