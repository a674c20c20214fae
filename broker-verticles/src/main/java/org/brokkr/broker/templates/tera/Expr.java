package org.brokkr.broker.templates.tera;

import java.util.List;
import java.util.Map;

/** An expression of the supported Tera subset, as parsed. */
sealed interface Expr {
  /** A string, integer, float or boolean written in the template. */
  record Literal(Object value) implements Expr {}

  /** {@code name}, {@code name.field}, {@code name.0}, {@code name["key"]}, {@code name[other]}. */
  record Variable(String name, List<Expr> path, String text) implements Expr {}

  record ArrayLiteral(List<Expr> items) implements Expr {}

  record Not(Expr operand) implements Expr {}

  /** {@code and} / {@code or}. */
  record Logic(String operator, Expr left, Expr right) implements Expr {}

  /** {@code == != < > <= >=}. */
  record Compare(String operator, Expr left, Expr right) implements Expr {}

  /** {@code + - * / %}. */
  record Math(String operator, Expr left, Expr right) implements Expr {}

  /** {@code a ~ b ~ c}. */
  record Concat(List<Expr> parts) implements Expr {}

  /** {@code needle in haystack}, {@code needle not in haystack}. */
  record In(Expr needle, Expr haystack, boolean negated) implements Expr {}

  /** {@code input | name(arg=value, ...)}. */
  record Filter(Expr input, String name, Map<String, Expr> args) implements Expr {}

  /** {@code subject is [not] name[(args)]}. */
  record Test(Expr subject, String name, List<Expr> args, boolean negated) implements Expr {}

  /** A built-in function: {@code range(end=3)}. */
  record Call(String name, Map<String, Expr> args) implements Expr {}
}
