package org.brokkr.broker.cli.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.config.TomlSubset;

/**
 * Where the broker is, which PAK to present and, for an https broker, which authorities to trust,
 * resolved as the reference client does: flag, then environment ({@code BROKKR_BROKER_URL},
 * {@code BROKKR_PAK}, {@code BROKKR_CA_FILE}), then the TOML file {@code ~/.brokkr/config}
 * ({@code broker_url}, {@code pak}, {@code ca_file}); a blank value counts as unset. Without a CA
 * file the JVM's default authorities apply.
 */
record Connection(String apiBase, String pak, Optional<String> caFile) {
  static final String URL_ENV = "BROKKR_BROKER_URL";
  static final String PAK_ENV = "BROKKR_PAK";
  static final String CA_FILE_ENV = "BROKKR_CA_FILE";

  static Connection resolve(Optional<String> urlFlag, Optional<String> pakFlag, Optional<String> caFlag,
      Optional<String> configFlag, Map<String, String> env) {
    Map<String, String> file = configFile(configFlag, env);
    String url = first(urlFlag, env.get(URL_ENV), file.get("broker_url")).orElseThrow(() -> new ClientFailure(
        "no broker URL: pass --broker-url, set " + URL_ENV + ", or add `broker_url` to ~/.brokkr/config"));
    String pak = first(pakFlag, env.get(PAK_ENV), file.get("pak")).orElseThrow(() -> new ClientFailure(
        "no PAK: pass --pak, set " + PAK_ENV + ", or add `pak` to ~/.brokkr/config"));
    String base = apiBase(url);
    if (!base.startsWith("http://") && !base.startsWith("https://")) {
      throw new ClientFailure("the broker URL must start with http:// or https://: " + url.trim());
    }
    return new Connection(base, pak.trim(), first(caFlag, env.get(CA_FILE_ENV), file.get("ca_file")).map(String::trim));
  }

  /** The broker's root or its {@code /api/v1}, with or without a trailing slash: always {@code .../api/v1}. */
  static String apiBase(String url) {
    String trimmed = url.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.endsWith("/api/v1") ? trimmed : trimmed + "/api/v1";
  }

  /** {@code --config PATH}, else {@code $HOME/.brokkr/config}; a missing file is empty, a broken one an error. */
  private static Map<String, String> configFile(Optional<String> configFlag, Map<String, String> env) {
    Path path;
    if (configFlag.isPresent()) {
      path = Path.of(configFlag.get());
    } else {
      String home = env.getOrDefault("HOME", System.getProperty("user.home"));
      if (home == null || home.isBlank()) {
        return Map.of();
      }
      path = Path.of(home, ".brokkr", "config");
    }
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      throw new ClientFailure("failed to read config file " + path + ": " + e.getMessage());
    }
    try {
      return TomlSubset.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ClientFailure("failed to parse config file " + path + ": " + e.getMessage());
    }
  }

  private static Optional<String> first(Optional<String> flag, String... others) {
    if (flag.isPresent() && !flag.get().isBlank()) {
      return flag;
    }
    for (String value : others) {
      if (value != null && !value.isBlank()) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
