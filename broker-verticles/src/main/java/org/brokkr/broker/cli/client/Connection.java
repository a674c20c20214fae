package org.brokkr.broker.cli.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.config.TomlSubset;

/**
 * Where the broker is and which PAK to present, resolved as the reference client does: flag, then
 * environment ({@code BROKKR_BROKER_URL}, {@code BROKKR_PAK}), then the TOML file
 * {@code ~/.brokkr/config} ({@code broker_url}, {@code pak}); a blank value counts as unset.
 */
record Connection(String apiBase, String pak) {
  static final String URL_ENV = "BROKKR_BROKER_URL";
  static final String PAK_ENV = "BROKKR_PAK";

  static Connection resolve(Optional<String> urlFlag, Optional<String> pakFlag, Optional<String> configFlag,
      Map<String, String> env) {
    Map<String, String> file = configFile(configFlag, env);
    String url = first(urlFlag, env.get(URL_ENV), file.get("broker_url")).orElseThrow(() -> new ClientFailure(
        "no broker URL: pass --broker-url, set " + URL_ENV + ", or add `broker_url` to ~/.brokkr/config"));
    String pak = first(pakFlag, env.get(PAK_ENV), file.get("pak")).orElseThrow(() -> new ClientFailure(
        "no PAK: pass --pak, set " + PAK_ENV + ", or add `pak` to ~/.brokkr/config"));
    return new Connection(apiBase(url), pak.trim());
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
