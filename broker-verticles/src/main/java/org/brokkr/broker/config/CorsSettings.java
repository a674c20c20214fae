package org.brokkr.broker.config;

import java.util.ArrayList;
import java.util.List;
import org.brokkr.codecs.config.Settings;

/**
 * Cross-origin rules of {@code /api/v1} (the reference's {@code cors.*} keys and defaults). Lists
 * are comma-separated; an origin {@code *} allows any origin. Origins and max age change at runtime
 * through a reload; methods and headers at the next start.
 */
public record CorsSettings(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
    int maxAgeSeconds) {

  public static CorsSettings from(Settings s) {
    return new CorsSettings(
        origins(s),
        list(s, "cors.allowed_methods", "GET,POST,PUT,DELETE,OPTIONS"),
        list(s, "cors.allowed_headers", "Authorization,Content-Type"),
        s.integer("cors.max_age_seconds", 3600, 0, 86_400 * 7));
  }

  public boolean anyOrigin() {
    return allowedOrigins.contains("*");
  }

  private static List<String> origins(Settings s) {
    List<String> origins = list(s, "cors.allowed_origins", "http://localhost:3001");
    for (String o : origins) {
      if (!o.equals("*") && !o.matches("https?://[^/\\s]+")) {
        throw s.invalid("cors.allowed_origins", o, "each origin must be * or scheme://host[:port] without a path");
      }
    }
    return origins;
  }

  private static List<String> list(Settings s, String key, String fallback) {
    List<String> out = new ArrayList<>();
    // a TOML array arrives joined with commas, like the environment's form
    for (String item : s.string(key, fallback).split(",")) {
      String v = item.trim();
      if (!v.isEmpty()) {
        out.add(v);
      }
    }
    return List.copyOf(out);
  }
}
