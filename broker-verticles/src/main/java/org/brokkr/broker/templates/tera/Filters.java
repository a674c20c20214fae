package org.brokkr.broker.templates.tera;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The supported Tera filters, with Tera's named arguments: {@code upper}, {@code lower},
 * {@code trim}, {@code capitalize}, {@code replace(from=, to=)}, {@code join(sep=)},
 * {@code default(value=)}, {@code length}, {@code first}, {@code last},
 * {@code json_encode(pretty=)}, {@code safe}. Any other name is refused when the template is
 * parsed, as are missing required and unknown arguments.
 */
final class Filters {
  private record Signature(Set<String> required, Set<String> optional) {}

  private static final Map<String, Signature> SIGNATURES = Map.ofEntries(
      Map.entry("upper", new Signature(Set.of(), Set.of())),
      Map.entry("lower", new Signature(Set.of(), Set.of())),
      Map.entry("trim", new Signature(Set.of(), Set.of())),
      Map.entry("capitalize", new Signature(Set.of(), Set.of())),
      Map.entry("replace", new Signature(Set.of("from", "to"), Set.of())),
      Map.entry("join", new Signature(Set.of(), Set.of("sep"))),
      Map.entry("default", new Signature(Set.of("value"), Set.of())),
      Map.entry("length", new Signature(Set.of(), Set.of())),
      Map.entry("first", new Signature(Set.of(), Set.of())),
      Map.entry("last", new Signature(Set.of(), Set.of())),
      Map.entry("json_encode", new Signature(Set.of(), Set.of("pretty"))),
      Map.entry("safe", new Signature(Set.of(), Set.of())));

  private Filters() {}

  static void checkSignature(String name, Set<String> given, Tokens at) {
    Signature s = SIGNATURES.get(name);
    if (s == null) {
      throw at.error("unknown filter '" + name + "' (supported: " + String.join(", ", new java.util.TreeSet<>(SIGNATURES.keySet())) + ")");
    }
    for (String required : s.required()) {
      if (!given.contains(required)) {
        throw at.error("filter '" + name + "' needs the argument '" + required + "'");
      }
    }
    for (String arg : given) {
      if (!s.required().contains(arg) && !s.optional().contains(arg)) {
        throw at.error("filter '" + name + "' has no argument '" + arg + "'");
      }
    }
  }

  /** Applies a filter other than {@code default} (the renderer handles that one). */
  static Object apply(String name, Object value, Map<String, Object> args, Budget budget) {
    switch (name) {
      case "upper":
        return string(name, value, budget).toUpperCase(java.util.Locale.ROOT);
      case "lower":
        return string(name, value, budget).toLowerCase(java.util.Locale.ROOT);
      case "trim":
        return Values.trimEnd(Values.trimStart(string(name, value, budget)));
      case "capitalize":
        return capitalize(string(name, value, budget));
      case "replace": {
        String s = string(name, value, budget);
        String from = stringArg(name, "from", args.get("from"), budget);
        String to = stringArg(name, "to", args.get("to"), budget);
        long occurrences = from.isEmpty() ? s.length() + 1L : count(s, from);
        if (s.length() + occurrences * (to.length() - (long) from.length()) > Integer.MAX_VALUE) {
          throw budget.error("the replaced text would be too long");
        }
        budget.text(new FixedLength(s.length() + occurrences * (to.length() - from.length())));
        return s.replace(from, to);
      }
      case "join":
        return join(value, args.get("sep"), budget);
      case "length":
        return length(value, budget);
      case "first":
      case "last": {
        List<?> list = array(name, value, budget);
        return list.isEmpty() ? null : list.get(name.equals("first") ? 0 : list.size() - 1);
      }
      case "json_encode":
        return budget.text(JsonText.encode(value, Values.truthy(args.get("pretty"))));
      case "safe":
      case "default":
        return value;
      default:
        throw budget.error("unknown filter '" + name + "'");
    }
  }

  private static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    int rest = Character.charCount(first);
    return new String(Character.toChars(first)).toUpperCase(java.util.Locale.ROOT)
        + s.substring(rest).toLowerCase(java.util.Locale.ROOT);
  }

  private static long count(String s, String part) {
    long n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  private static String join(Object value, Object sepArg, Budget budget) {
    List<?> list = array("join", value, budget);
    // like Tera, a separator written as \n or \t in the template means a newline or a tab
    String sep = sepArg == null ? "" : stringArg("join", "sep", sepArg, budget).replace("\\n", "\n").replace("\\t", "\t");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(sep);
      }
      Values.render(list.get(i), out);
      budget.text(out);
    }
    return out.toString();
  }

  private static Object length(Object value, Budget budget) {
    if (value instanceof List<?> l) {
      return (long) l.size();
    }
    if (value instanceof Map<?, ?> m) {
      return (long) m.size();
    }
    if (value instanceof String s) {
      return (long) s.codePointCount(0, s.length());
    }
    throw budget.error("filter 'length' needs an array, an object or a string, not " + Values.typeName(value));
  }

  private static String string(String filter, Object value, Budget budget) {
    if (value instanceof String s) {
      return s;
    }
    throw budget.error("filter '" + filter + "' needs a string, not " + Values.typeName(value));
  }

  private static String stringArg(String filter, String arg, Object value, Budget budget) {
    if (value instanceof String s) {
      return s;
    }
    throw budget.error("argument '" + arg + "' of filter '" + filter + "' must be a string, not " + Values.typeName(value));
  }

  private static List<?> array(String filter, Object value, Budget budget) {
    if (value instanceof List<?> l) {
      return l;
    }
    throw budget.error("filter '" + filter + "' needs an array, not " + Values.typeName(value));
  }

  /** A length to check against the budget before the text is built. */
  private record FixedLength(long size) implements CharSequence {
    @Override
    public int length() {
      return (int) Math.min(size, Integer.MAX_VALUE);
    }

    @Override
    public char charAt(int index) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      throw new UnsupportedOperationException();
    }
  }
}
