package org.brokkr.broker.templates.tera;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expressions, with Tera's binding: {@code or} < {@code and} < {@code not} < comparisons, tests
 * and {@code in} < math; a filter applies to the whole math run before it ({@code a + b | f}
 * filters the sum) and math may continue after the filters.
 */
final class ExpressionParser {
  /** Deepest nesting of parentheses, brackets and sub-expressions. */
  static final int MAX_DEPTH = 64;
  private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=");
  private static final Map<String, Integer> MATH = Map.of("~", 1, "+", 2, "-", 2, "*", 3, "/", 3, "%", 3);

  private final Tokens in;
  private int depth;

  ExpressionParser(Tokens in) {
    this.in = in;
  }

  Expr expression() {
    if (++depth > MAX_DEPTH) {
      throw in.error("expression nested too deeply");
    }
    Expr e = or();
    depth--;
    return e;
  }

  private Expr or() {
    Expr left = and();
    while (in.accept("or")) {
      left = new Expr.Logic("or", left, and());
    }
    return left;
  }

  private Expr and() {
    Expr left = not();
    while (in.accept("and")) {
      left = new Expr.Logic("and", left, not());
    }
    return left;
  }

  private Expr not() {
    if (in.accept("not")) {
      if (++depth > MAX_DEPTH) {
        throw in.error("expression nested too deeply");
      }
      Expr operand = not();
      depth--;
      return new Expr.Not(operand);
    }
    return comparison();
  }

  private Expr comparison() {
    Expr left = value();
    Tokens.Token t = in.peek();
    if (t.type() == Tokens.Type.OP && COMPARISONS.contains(t.text())) {
      in.next();
      return new Expr.Compare(t.text(), left, value());
    }
    if (in.accept("in")) {
      return new Expr.In(left, value(), false);
    }
    if (t.is("not") && in.peek(1).is("in")) {
      in.next();
      in.next();
      return new Expr.In(left, value(), true);
    }
    if (in.accept("is")) {
      boolean negated = in.accept("not");
      String name = in.name();
      List<Expr> args = new ArrayList<>();
      if (in.accept("(")) {
        if (!in.accept(")")) {
          do {
            args.add(expression());
          } while (in.accept(","));
          in.expect(")");
        }
      }
      Predicates.checkSignature(name, args.size(), in);
      return new Expr.Test(left, name, args, negated);
    }
    return left;
  }

  /** Math runs joined by math operators, each run optionally filtered. */
  private Expr value() {
    List<Expr> operands = new ArrayList<>(List.of(filtered()));
    List<String> operators = new ArrayList<>();
    while (isMath(in.peek())) {
      operators.add(in.next().text());
      operands.add(filtered());
    }
    return climb(operands, operators);
  }

  private Expr filtered() {
    Expr e = math();
    while (in.accept("|")) {
      String name = in.name();
      Map<String, Expr> args = in.peek().is("(") ? namedArgs() : Map.of();
      Filters.checkSignature(name, args.keySet(), in);
      e = new Expr.Filter(e, name, args);
    }
    return e;
  }

  private Expr math() {
    List<Expr> operands = new ArrayList<>(List.of(primary()));
    List<String> operators = new ArrayList<>();
    while (isMath(in.peek())) {
      operators.add(in.next().text());
      operands.add(primary());
    }
    return climb(operands, operators);
  }

  private static boolean isMath(Tokens.Token t) {
    return t.type() == Tokens.Type.OP && MATH.containsKey(t.text());
  }

  /** Left-associative precedence climbing over a flat list: {@code a + b * c - d}. */
  private static Expr climb(List<Expr> operands, List<String> operators) {
    List<Expr> values = new ArrayList<>(operands);
    List<String> ops = new ArrayList<>(operators);
    for (int level = 3; level >= 1; level--) {
      int i = 0;
      while (i < ops.size()) {
        if (MATH.get(ops.get(i)) == level) {
          values.set(i, combine(ops.get(i), values.get(i), values.get(i + 1)));
          values.remove(i + 1);
          ops.remove(i);
        } else {
          i++;
        }
      }
    }
    return values.get(0);
  }

  private static Expr combine(String op, Expr left, Expr right) {
    if (op.equals("~")) {
      List<Expr> parts = new ArrayList<>();
      if (left instanceof Expr.Concat c) {
        parts.addAll(c.parts());
      } else {
        parts.add(left);
      }
      parts.add(right);
      return new Expr.Concat(parts);
    }
    return new Expr.Math(op, left, right);
  }

  private Expr primary() {
    Tokens.Token t = in.next();
    switch (t.type()) {
      case STRING, INT, FLOAT:
        return new Expr.Literal(t.value());
      case NAME:
        return name(t.text());
      case OP:
        if (t.is("(")) {
          Expr inner = expression();
          in.expect(")");
          return inner;
        }
        if (t.is("[")) {
          return array();
        }
        break;
      default:
        break;
    }
    throw in.error("expected a value but found " + Tokens.describe(t));
  }

  private Expr array() {
    List<Expr> items = new ArrayList<>();
    while (!in.accept("]")) {
      items.add(expression());
      if (!in.accept(",")) {
        in.expect("]");
        break;
      }
    }
    return new Expr.ArrayLiteral(items);
  }

  private Expr name(String name) {
    switch (name) {
      case "true", "True":
        return new Expr.Literal(Boolean.TRUE);
      case "false", "False":
        return new Expr.Literal(Boolean.FALSE);
      case "and", "or", "not", "in", "is":
        throw in.error("unexpected '" + name + "'");
      default:
        break;
    }
    if (in.peek().is("(")) {
      Map<String, Expr> args = namedArgs();
      Functions.checkSignature(name, args.keySet(), in);
      return new Expr.Call(name, args);
    }
    List<Expr> path = new ArrayList<>();
    StringBuilder text = new StringBuilder(name);
    while (true) {
      if (in.accept(".")) {
        Tokens.Token field = in.next();
        if (field.type() == Tokens.Type.NAME) {
          path.add(new Expr.Literal(field.text()));
        } else if (field.type() == Tokens.Type.INT) {
          path.add(new Expr.Literal(field.value()));
        } else if (field.type() == Tokens.Type.FLOAT && !field.text().contains("e") && !field.text().contains("E")) {
          for (String part : field.text().split("\\.")) {
            path.add(new Expr.Literal(Long.parseLong(part)));
          }
        } else {
          throw in.error("expected a field name after '.'");
        }
        text.append('.').append(field.text());
      } else if (in.accept("[")) {
        path.add(expression());
        in.expect("]");
        text.append("[...]");
      } else {
        return new Expr.Variable(name, path, text.toString());
      }
    }
  }

  /** {@code (name=expr, ...)}: Tera filters and functions take named arguments only. */
  private Map<String, Expr> namedArgs() {
    in.expect("(");
    Map<String, Expr> args = new LinkedHashMap<>();
    while (!in.accept(")")) {
      String name = in.name();
      in.expect("=");
      if (args.put(name, expression()) != null) {
        throw in.error("argument '" + name + "' given twice");
      }
      if (!in.accept(",")) {
        in.expect(")");
        break;
      }
    }
    return args;
  }
}
