package org.brokkr.broker.templates.tera;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Evaluates expressions with Tera's semantics (see {@link Renderer} for the undefined rules). */
final class Evaluator {
  private final Function<String, Object> roots;
  private final Budget budget;

  Evaluator(Function<String, Object> roots, Budget budget) {
    this.roots = roots;
    this.budget = budget;
  }

  /** The value of an expression; an undefined variable is an error. */
  Object value(Expr e) {
    if (e instanceof Expr.Literal l) {
      return l.value();
    }
    if (e instanceof Expr.Variable v) {
      Object value = lookup(v);
      if (value == Values.UNDEFINED) {
        throw budget.error("variable '" + v.text() + "' is not defined");
      }
      return value;
    }
    if (e instanceof Expr.ArrayLiteral a) {
      List<Object> items = new ArrayList<>();
      a.items().forEach(item -> items.add(value(item)));
      return items;
    }
    if (e instanceof Expr.Not || e instanceof Expr.Logic || e instanceof Expr.In || e instanceof Expr.Test) {
      return condition(e);
    }
    if (e instanceof Expr.Compare c) {
      return compare(c);
    }
    if (e instanceof Expr.Math m) {
      return Arithmetic.apply(m.operator(), value(m.left()), value(m.right()), budget);
    }
    if (e instanceof Expr.Concat c) {
      return concat(c);
    }
    if (e instanceof Expr.Filter f) {
      return filter(f);
    }
    if (e instanceof Expr.Call c) {
      Map<String, Object> args = new LinkedHashMap<>();
      c.args().forEach((k, v) -> args.put(k, value(v)));
      return Functions.call(c.name(), args, budget);
    }
    throw budget.error("cannot evaluate " + e);
  }

  /** Truth of an expression used as a condition. */
  boolean condition(Expr e) {
    if (e instanceof Expr.Not n) {
      return !condition(n.operand());
    }
    if (e instanceof Expr.Logic l) {
      return l.operator().equals("and") ? condition(l.left()) && condition(l.right())
          : condition(l.left()) || condition(l.right());
    }
    if (e instanceof Expr.In in) {
      return in.negated() != contains(value(in.haystack()), value(in.needle()));
    }
    if (e instanceof Expr.Test t) {
      List<Object> args = new ArrayList<>();
      t.args().forEach(a -> args.add(value(a)));
      Object subject = t.subject() instanceof Expr.Variable v ? lookup(v) : value(t.subject());
      return t.negated() != Predicates.test(t.name(), subject, args, budget);
    }
    if (rootedAtVariable(e)) {
      // a variable (filtered or not) that cannot be evaluated is simply false here
      try {
        return Values.truthy(value(e));
      } catch (TemplateRenderException failure) {
        if (failure.limitReached()) {
          throw failure;
        }
        return false;
      }
    }
    return Values.truthy(value(e));
  }

  private static boolean rootedAtVariable(Expr e) {
    while (e instanceof Expr.Filter f) {
      e = f.input();
    }
    return e instanceof Expr.Variable;
  }

  /** A variable's value, or {@link Values#UNDEFINED} when it or a field on its path does not exist. */
  Object lookup(Expr.Variable v) {
    Object current = roots.apply(v.name());
    for (Expr accessor : v.path()) {
      if (current == Values.UNDEFINED) {
        return current;
      }
      Object key = value(accessor);
      current = field(current, key);
    }
    return current;
  }

  private static Object field(Object container, Object key) {
    if (container instanceof Map<?, ?> map) {
      String name = key instanceof String s ? s : Values.render(key);
      return map.containsKey(name) ? map.get(name) : Values.UNDEFINED;
    }
    if (container instanceof List<?> list) {
      long index;
      if (key instanceof Long l) {
        index = l;
      } else if (key instanceof String s && s.matches("\\d{1,18}")) {
        index = Long.parseLong(s);
      } else {
        return Values.UNDEFINED;
      }
      return index >= 0 && index < list.size() ? list.get((int) index) : Values.UNDEFINED;
    }
    return Values.UNDEFINED;
  }

  private Object filter(Expr.Filter f) {
    Object input;
    if (f.name().equals("default")) {
      if (!(f.input() instanceof Expr.Variable v)) {
        return value(f.input());
      }
      input = lookup(v);
      return input == Values.UNDEFINED || input == null ? value(f.args().get("value")) : input;
    }
    input = value(f.input());
    Map<String, Object> args = new LinkedHashMap<>();
    f.args().forEach((k, a) -> args.put(k, value(a)));
    return Filters.apply(f.name(), input, args, budget);
  }

  private Object compare(Expr.Compare c) {
    Object l = value(c.left());
    Object r = value(c.right());
    switch (c.operator()) {
      case "==":
      case "!=": {
        Boolean equal = Values.numericAware(l, r);
        if (equal == null) {
          return false;
        }
        return equal == c.operator().equals("==");
      }
      default: {
        double a = Arithmetic.number(l, c.operator(), budget);
        double b = Arithmetic.number(r, c.operator(), budget);
        return switch (c.operator()) {
          case "<" -> a < b;
          case ">" -> a > b;
          case "<=" -> a <= b;
          default -> a >= b;
        };
      }
    }
  }

  private Object concat(Expr.Concat c) {
    StringBuilder s = new StringBuilder();
    for (Expr part : c.parts()) {
      Object v = value(part);
      if (v instanceof String text) {
        s.append(text);
      } else if (v instanceof Double d) {
        s.append(JsonText.encode(d, false));
      } else if (v instanceof Long || v instanceof BigInteger) {
        s.append(v);
      } else {
        throw budget.error("'~' joins strings and numbers, not " + Values.typeName(v));
      }
      budget.text(s);
    }
    return s.toString();
  }

  private boolean contains(Object haystack, Object needle) {
    if (haystack instanceof List<?> list) {
      return list.stream().anyMatch(item -> Boolean.TRUE.equals(Values.numericAware(item, needle)));
    }
    if (haystack instanceof String s) {
      if (!(needle instanceof String n)) {
        throw budget.error("'in' a string needs a string, not " + Values.typeName(needle));
      }
      return s.contains(n);
    }
    if (haystack instanceof Map<?, ?> map) {
      if (!(needle instanceof String n)) {
        throw budget.error("'in' an object needs a string key, not " + Values.typeName(needle));
      }
      return map.containsKey(n);
    }
    throw budget.error("'in' needs an array, a string or an object, not " + Values.typeName(haystack));
  }
}
