package org.brokkr.broker.templates.tera;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The supported Tera function: {@code range(end=, start=0, step_by=1)}. */
final class Functions {
  private Functions() {}

  static void checkSignature(String name, Set<String> args, Tokens at) {
    if (!name.equals("range")) {
      throw at.error("unknown function '" + name + "' (supported: range)");
    }
    if (!args.contains("end")) {
      throw at.error("function 'range' needs the argument 'end'");
    }
    for (String arg : args) {
      if (!Set.of("start", "end", "step_by").contains(arg)) {
        throw at.error("function 'range' has no argument '" + arg + "'");
      }
    }
  }

  static Object call(String name, Map<String, Object> args, Budget budget) {
    long start = integer(args.getOrDefault("start", 0L), "start", budget);
    long end = integer(args.get("end"), "end", budget);
    long step = integer(args.getOrDefault("step_by", 1L), "step_by", budget);
    if (step <= 0) {
      throw budget.error("range: step_by must be positive");
    }
    if (start > end) {
      throw budget.error("range: start must not be greater than end");
    }
    long span;
    try {
      span = Math.subtractExact(end, start);
    } catch (ArithmeticException e) {
      throw budget.error("range: too many numbers");
    }
    long count = span / step + (span % step == 0 ? 0 : 1);
    budget.steps(count);
    List<Object> out = new ArrayList<>((int) count);
    for (long i = start; i < end; i += step) {
      out.add(i);
    }
    return out;
  }

  private static long integer(Object v, String arg, Budget budget) {
    if (v instanceof Long l) {
      return l;
    }
    throw budget.error("range: '" + arg + "' must be an integer, not " + Values.typeName(v));
  }
}
