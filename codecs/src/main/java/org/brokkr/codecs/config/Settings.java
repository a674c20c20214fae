package org.brokkr.codecs.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Flat configuration: built-in defaults, then the optional file named by {@code BROKKR_CONFIG_FILE}
 * (TOML), then {@code BROKKR__SECTION__KEY} environment variables. Keys are lower-case dotted
 * paths such as {@code broker.pak_hash}.
 */
public final class Settings {
  public static final String CONFIG_FILE_ENV = "BROKKR_CONFIG_FILE";
  private static final String ENV_PREFIX = "BROKKR__";

  private final Map<String, String> values;
  /** Every key a reader asked for: what the configuration consists of (the README's table is checked against it). */
  private final java.util.Set<String> asked = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Settings(Map<String, String> values) {
    this.values = values;
  }

  /** The keys read so far, sorted. */
  public java.util.SortedSet<String> keysRead() {
    return new java.util.TreeSet<>(asked);
  }

  private String raw(String key) {
    asked.add(key);
    return values.get(key);
  }

  public static Settings load(Map<String, String> defaults, Map<String, String> env) {
    return load(defaults, env, null, null);
  }

  /**
   * Defaults, then the file {@code BROKKR_CONFIG_FILE} names, then {@code extraToml} (a further
   * TOML layer, e.g. a watched ConfigMap's key, described by {@code extraName} in errors), then
   * the {@code BROKKR__*} environment.
   */
  public static Settings load(Map<String, String> defaults, Map<String, String> env, String extraToml, String extraName) {
    Map<String, String> merged = new TreeMap<>(defaults);
    String file = env.get(CONFIG_FILE_ENV);
    if (file != null && !file.isBlank()) {
      Path path = Path.of(file);
      try {
        merged.putAll(TomlSubset.parse(Files.readString(path)));
      } catch (IOException e) {
        throw new ConfigException(CONFIG_FILE_ENV + ": cannot read " + path + ": " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(CONFIG_FILE_ENV + ": " + path + ": " + e.getMessage());
      }
    }
    if (extraToml != null) {
      try {
        merged.putAll(TomlSubset.parse(extraToml));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(extraName + ": " + e.getMessage());
      }
    }
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
        merged.put(keyOfEnv(name), value);
      }
    });
    return new Settings(merged);
  }

  public static Settings of(Map<String, String> values) {
    return new Settings(new TreeMap<>(values));
  }

  /** {@code BROKKR__BROKER__PAK_HASH} -> {@code broker.pak_hash}. */
  public static String keyOfEnv(String envName) {
    return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace("__", ".");
  }

  /** {@code broker.pak_hash} -> {@code BROKKR__BROKER__PAK_HASH}, for error messages. */
  public static String envOf(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace(".", "__");
  }

  /** Every resolved key and its raw value (sorted by key). */
  public Map<String, String> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(raw(key));
  }

  public String string(String key, String fallback) {
    String raw = raw(key);
    return raw == null ? fallback : raw;
  }

  /** Present and not blank. */
  public Optional<String> nonBlank(String key) {
    return get(key).filter(v -> !v.isBlank());
  }

  public int integer(String key, int fallback, int min, int max) {
    return (int) longValue(key, fallback, min, max);
  }

  public long longValue(String key, long fallback, long min, long max) {
    String raw = raw(key);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw invalid(key, raw, "is not an integer");
    }
    if (value < min || value > max) {
      throw invalid(key, raw, "must be between " + min + " and " + max);
    }
    return value;
  }

  /** A value that must be one of {@code allowed} (compared in lower case). */
  public String choice(String key, String fallback, String... allowed) {
    String value = string(key, fallback).trim().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(value)) {
        return value;
      }
    }
    throw invalid(key, value, "must be one of " + String.join(", ", allowed));
  }

  /** {@code log.level}: off, error, warn, info, debug or trace. */
  public String logLevel(String fallback) {
    return choice("log.level", fallback, "off", "error", "warn", "info", "debug", "trace");
  }

  /** {@code log.format}: text or json. */
  public String logFormat() {
    return choice("log.format", "text", "text", "json");
  }

  public boolean bool(String key, boolean fallback) {
    String raw = raw(key);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    switch (raw.trim().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on":
        return true;
      case "false", "0", "no", "off":
        return false;
      default:
        throw invalid(key, raw, "is not a boolean");
    }
  }

  public ConfigException invalid(String key, String raw, String why) {
    String shown = raw.length() > 80 ? raw.substring(0, 80) + "..." : raw;
    return new ConfigException("invalid configuration " + envOf(key) + " (" + key + ") = '" + shown + "': " + why);
  }
}
