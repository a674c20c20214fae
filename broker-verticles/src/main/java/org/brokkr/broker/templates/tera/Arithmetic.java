package org.brokkr.broker.templates.tera;

/**
 * Tera's math: integers stay integers for {@code + - * %} (overflow is an error), {@code /}
 * yields an integer when the quotient is whole and a float otherwise; anything else is a float.
 */
final class Arithmetic {
  private Arithmetic() {}

  static Object apply(String op, Object l, Object r, Budget budget) {
    double a = number(l, op, budget);
    double b = number(r, op, budget);
    if (op.equals("/")) {
      if (b == 0) {
        throw budget.error("division by zero");
      }
      double q = a / b;
      return Math.rint(q) == q && Math.abs(q) < 9.2e18 ? (Object) (long) q : (Object) q;
    }
    if (l instanceof Long x && r instanceof Long y) {
      try {
        return switch (op) {
          case "+" -> Math.addExact(x, y);
          case "-" -> Math.subtractExact(x, y);
          case "*" -> Math.multiplyExact(x, y);
          default -> {
            if (y == 0) {
              throw budget.error("modulo by zero");
            }
            yield x % y;
          }
        };
      } catch (ArithmeticException e) {
        throw budget.error(x + " " + op + " " + y + " is out of the integer range");
      }
    }
    double result = switch (op) {
      case "+" -> a + b;
      case "-" -> a - b;
      case "*" -> a * b;
      default -> a % b;
    };
    if (Double.isNaN(result) || Double.isInfinite(result)) {
      throw budget.error("math result is not a finite number");
    }
    return result;
  }

  static double number(Object v, String op, Budget budget) {
    if (Values.isNumber(v)) {
      return ((Number) v).doubleValue();
    }
    throw budget.error("'" + op + "' needs numbers, not " + Values.typeName(v));
  }
}
