package org.brokkr.broker.templates.tera;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value model of rendering: JSON values as plain Java objects (String, Long, BigInteger,
 * Double, Boolean, null, List, Map) and how Tera prints, compares and tests them for truth.
 */
final class Values {
  /** What a lookup of a name or field that does not exist yields (distinct from JSON null). */
  static final Object UNDEFINED = new Object() {
    @Override
    public String toString() {
      return "undefined";
    }
  };

  private Values() {}

  /** Vert.x JSON (JsonObject, JsonArray, numbers...) to the plain model, recursively. */
  static Object of(Object json) {
    if (json instanceof JsonObject o) {
      return of(o.getMap());
    }
    if (json instanceof JsonArray a) {
      return of(a.getList());
    }
    if (json instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
      return out;
    }
    if (json instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(of(v)));
      return out;
    }
    if (json instanceof Integer || json instanceof Short || json instanceof Byte) {
      return ((Number) json).longValue();
    }
    if (json instanceof Float f) {
      return f.doubleValue();
    }
    if (json instanceof BigDecimal d) {
      return d.doubleValue();
    }
    if (json instanceof BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    return json;
  }

  /** The text Tera writes for a value in {@code {{ }}}: null is empty, objects are {@code [object]}. */
  static String render(Object v) {
    StringBuilder out = new StringBuilder();
    render(v, out);
    return out.toString();
  }

  static void render(Object v, StringBuilder out) {
    if (v == null) {
      return;
    }
    if (v instanceof String s) {
      out.append(s);
    } else if (v instanceof Double d) {
      out.append(formatFloat(d));
    } else if (v instanceof List<?> list) {
      out.append('[');
      boolean first = true;
      for (Object item : list) {
        if (!first) {
          out.append(", ");
        }
        first = false;
        render(item, out);
      }
      out.append(']');
    } else if (v instanceof Map) {
      out.append("[object]");
    } else {
      out.append(v);
    }
  }

  /** A float the way Rust's {@code Display} prints it: shortest digits, never an exponent, no {@code .0}. */
  static String formatFloat(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.isNaN(d) ? "NaN" : d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    String plain = new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    return plain;
  }

  static boolean truthy(Object v) {
    if (v == null || v == UNDEFINED) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double || v instanceof BigInteger;
  }

  static boolean isInteger(Object v) {
    return v instanceof Long;
  }

  /**
   * Equality as Tera's {@code ==}: two numbers compare by value; a number against anything else
   * is never equal (nor unequal: both operators answer false); other values compare structurally.
   */
  static Boolean numericAware(Object l, Object r) {
    if (isNumber(l) || isNumber(r)) {
      if (!isNumber(l) || !isNumber(r)) {
        return null;
      }
      return ((Number) l).doubleValue() == ((Number) r).doubleValue();
    }
    return java.util.Objects.equals(l, r);
  }

  /** A value's type as error messages name it. */
  static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v == UNDEFINED) {
      return "undefined";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (isNumber(v)) {
      return "number";
    }
    if (v instanceof List) {
      return "array";
    }
    return "object";
  }

  /** Unicode White_Space, the set Rust's {@code trim} removes (wider than {@link Character#isWhitespace}). */
  static boolean isWhitespace(int c) {
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
  }

  static String trimStart(String s) {
    int i = 0;
    while (i < s.length()) {
      int c = s.codePointAt(i);
      if (!isWhitespace(c)) {
        break;
      }
      i += Character.charCount(c);
    }
    return s.substring(i);
  }

  static String trimEnd(String s) {
    int end = s.length();
    while (end > 0) {
      int c = s.codePointBefore(end);
      if (!isWhitespace(c)) {
        break;
      }
      end -= Character.charCount(c);
    }
    return s.substring(0, end);
  }
}
