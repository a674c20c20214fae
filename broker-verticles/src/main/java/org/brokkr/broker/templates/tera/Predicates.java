package org.brokkr.broker.templates.tera;

import java.util.List;
import java.util.Map;

/**
 * The supported Tera tests ({@code x is defined}, {@code n is odd}, ...): {@code defined},
 * {@code undefined}, {@code odd}, {@code even}, {@code string}, {@code number},
 * {@code iterable}, {@code object}, {@code divisibleby(n)}, {@code starting_with(s)},
 * {@code ending_with(s)}, {@code containing(x)}.
 */
final class Predicates {
  private static final Map<String, Integer> ARITY = Map.ofEntries(
      Map.entry("defined", 0), Map.entry("undefined", 0), Map.entry("odd", 0), Map.entry("even", 0),
      Map.entry("string", 0), Map.entry("number", 0), Map.entry("iterable", 0), Map.entry("object", 0),
      Map.entry("divisibleby", 1), Map.entry("starting_with", 1), Map.entry("ending_with", 1),
      Map.entry("containing", 1));

  private Predicates() {}

  static void checkSignature(String name, int args, Tokens at) {
    Integer arity = ARITY.get(name);
    if (arity == null) {
      throw at.error("unknown test '" + name + "'");
    }
    if (arity != args) {
      throw at.error("test '" + name + "' takes " + arity + " argument" + (arity == 1 ? "" : "s"));
    }
  }

  /** True when the test holds; {@code subject} may be {@link Values#UNDEFINED} only for (un)defined. */
  static boolean test(String name, Object subject, List<Object> args, Budget budget) {
    if (name.equals("defined") || name.equals("undefined")) {
      return (subject != Values.UNDEFINED) == name.equals("defined");
    }
    if (subject == Values.UNDEFINED) {
      throw budget.error("test '" + name + "' on an undefined value");
    }
    switch (name) {
      case "odd", "even": {
        double n = number(name, subject, budget);
        boolean odd = ((n % 2) + 2) % 2 == 1;
        return odd == name.equals("odd");
      }
      case "string":
        return subject instanceof String;
      case "number":
        return Values.isNumber(subject);
      case "iterable":
        return subject instanceof List || subject instanceof Map;
      case "object":
        return subject instanceof Map;
      case "divisibleby": {
        double d = number(name, args.get(0), budget);
        return d != 0 && number(name, subject, budget) % d == 0;
      }
      case "starting_with":
        return text(name, subject, budget).startsWith(text(name, args.get(0), budget));
      case "ending_with":
        return text(name, subject, budget).endsWith(text(name, args.get(0), budget));
      case "containing":
        return containing(subject, args.get(0), budget);
      default:
        throw budget.error("unknown test '" + name + "'");
    }
  }

  private static boolean containing(Object subject, Object needle, Budget budget) {
    if (subject instanceof String s) {
      return s.contains(text("containing", needle, budget));
    }
    if (subject instanceof List<?> l) {
      return l.stream().anyMatch(item -> Boolean.TRUE.equals(Values.numericAware(item, needle)));
    }
    if (subject instanceof Map<?, ?> m) {
      return m.containsKey(text("containing", needle, budget));
    }
    throw budget.error("test 'containing' needs a string, an array or an object");
  }

  private static double number(String test, Object v, Budget budget) {
    if (Values.isNumber(v)) {
      return ((Number) v).doubleValue();
    }
    throw budget.error("test '" + test + "' needs a number, not " + Values.typeName(v));
  }

  private static String text(String test, Object v, Budget budget) {
    if (v instanceof String s) {
      return s;
    }
    throw budget.error("test '" + test + "' needs a string, not " + Values.typeName(v));
  }
}
