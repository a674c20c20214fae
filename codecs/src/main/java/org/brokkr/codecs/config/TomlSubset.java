package org.brokkr.codecs.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the part of TOML that Brokkr configuration files use: {@code [section]} and
 * {@code [section.sub]} tables and {@code key = value} lines whose value is a string, number,
 * boolean or a one-line array (kept as a comma-separated string). Comments start with {@code #}.
 * Also read by the {@code brokkr} client for its {@code ~/.brokkr/config}.
 */
public final class TomlSubset {
  private TomlSubset() {}

  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    String table = "";
    int lineNo = 0;
    for (String rawLine : text.split("\r?\n")) {
      lineNo++;
      String line = stripComment(rawLine).trim();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]") || line.startsWith("[[")) {
          throw new IllegalArgumentException("line " + lineNo + ": unsupported table header");
        }
        table = line.substring(1, line.length() - 1).trim().toLowerCase();
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("line " + lineNo + ": expected key = value");
      }
      String key = unquote(line.substring(0, eq).trim()).toLowerCase();
      String value = parseValue(line.substring(eq + 1).trim(), lineNo);
      out.put(table.isEmpty() ? key : table + "." + key, value);
    }
    return out;
  }

  private static String parseValue(String raw, int lineNo) {
    if (raw.startsWith("\"") || raw.startsWith("'")) {
      if (raw.length() < 2 || raw.charAt(raw.length() - 1) != raw.charAt(0)) {
        throw new IllegalArgumentException("line " + lineNo + ": unterminated string");
      }
      return unescape(raw.substring(1, raw.length() - 1), raw.charAt(0) == '"');
    }
    if (raw.startsWith("[")) {
      if (!raw.endsWith("]")) {
        throw new IllegalArgumentException("line " + lineNo + ": arrays must fit on one line");
      }
      StringBuilder joined = new StringBuilder();
      for (String item : raw.substring(1, raw.length() - 1).split(",")) {
        String trimmed = item.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        if (joined.length() > 0) {
          joined.append(',');
        }
        joined.append(parseValue(trimmed, lineNo));
      }
      return joined.toString();
    }
    if (raw.isEmpty()) {
      throw new IllegalArgumentException("line " + lineNo + ": missing value");
    }
    return raw;
  }

  private static String stripComment(String line) {
    boolean inDouble = false;
    boolean inSingle = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' && !inSingle && (i == 0 || line.charAt(i - 1) != '\\')) {
        inDouble = !inDouble;
      } else if (c == '\'' && !inDouble) {
        inSingle = !inSingle;
      } else if (c == '#' && !inDouble && !inSingle) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String key) {
    if (key.length() >= 2 && (key.startsWith("\"") && key.endsWith("\"") || key.startsWith("'") && key.endsWith("'"))) {
      return key.substring(1, key.length() - 1);
    }
    return key;
  }

  private static String unescape(String s, boolean basic) {
    if (!basic) {
      return s;
    }
    return s.replace("\\\"", "\"").replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\");
  }
}
