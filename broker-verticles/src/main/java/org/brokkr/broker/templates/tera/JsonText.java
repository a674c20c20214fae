package org.brokkr.broker.templates.tera;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** JSON text of a value as Tera's {@code json_encode} writes it: keys sorted, compact or two-space pretty. */
final class JsonText {
  private JsonText() {}

  static String encode(Object value, boolean pretty) {
    StringBuilder out = new StringBuilder();
    write(value, pretty, 0, out);
    return out.toString();
  }

  private static void write(Object v, boolean pretty, int indent, StringBuilder out) {
    if (v == null || v == Values.UNDEFINED) {
      out.append("null");
    } else if (v instanceof String s) {
      string(s, out);
    } else if (v instanceof Double d) {
      String f = Values.formatFloat(d);
      out.append(f.contains(".") || f.contains("inf") || f.contains("NaN") ? f : f + ".0");
    } else if (v instanceof List<?> list) {
      if (list.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append('[');
      for (int i = 0; i < list.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        newline(pretty, indent + 1, out);
        write(list.get(i), pretty, indent + 1, out);
      }
      newline(pretty, indent, out);
      out.append(']');
    } else if (v instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        newline(pretty, indent + 1, out);
        string(String.valueOf(e.getKey()), out);
        out.append(pretty ? ": " : ":");
        write(e.getValue(), pretty, indent + 1, out);
      }
      newline(pretty, indent, out);
      out.append('}');
    } else {
      out.append(v);
    }
  }

  private static void newline(boolean pretty, int indent, StringBuilder out) {
    if (pretty) {
      out.append('\n').append("  ".repeat(indent));
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
