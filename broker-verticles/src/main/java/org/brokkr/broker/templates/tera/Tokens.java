package org.brokkr.broker.templates.tera;

import java.util.ArrayList;
import java.util.List;

/** The tokens of one tag or output body: names, literals and operators. */
final class Tokens {
  enum Type { NAME, STRING, INT, FLOAT, OP, END }

  record Token(Type type, String text, Object value) {
    boolean is(String s) {
      return (type == Type.OP || type == Type.NAME) && text.equals(s);
    }
  }

  private static final String[] OPERATORS = {"==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "~", "|",
      "(", ")", "[", "]", ",", ".", "="};

  private final List<Token> tokens;
  private final int line;
  private int pos;

  private Tokens(List<Token> tokens, int line) {
    this.tokens = tokens;
    this.line = line;
  }

  static Tokens of(String body, int line) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (Values.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'' || c == '`') {
        int end = body.indexOf(c, i + 1);
        if (end < 0) {
          throw new TemplateSyntaxException(line, "unterminated string");
        }
        // Tera strings have no escape sequences: the text between the quotes is the value
        String value = body.substring(i + 1, end);
        out.add(new Token(Type.STRING, value, value));
        i = end + 1;
      } else if (Character.isDigit(c) || (c == '-' && startsNumber(body, i, out))) {
        i = number(body, i, line, out);
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < body.length() && (Character.isLetterOrDigit(body.charAt(i)) || body.charAt(i) == '_')) {
          i++;
        }
        out.add(new Token(Type.NAME, body.substring(start, i), null));
      } else {
        String op = operatorAt(body, i);
        if (op == null) {
          throw new TemplateSyntaxException(line, "unexpected character '" + c + "'");
        }
        out.add(new Token(Type.OP, op, null));
        i += op.length();
      }
    }
    out.add(new Token(Type.END, "end of tag", null));
    return new Tokens(out, line);
  }

  /** A '-' starts a negative literal where no operand precedes it ({@code -1}, {@code (x, -2)}), else it subtracts. */
  private static boolean startsNumber(String body, int i, List<Token> before) {
    if (i + 1 >= body.length() || !Character.isDigit(body.charAt(i + 1))) {
      return false;
    }
    if (before.isEmpty()) {
      return true;
    }
    Token last = before.get(before.size() - 1);
    boolean operand = last.type() == Type.STRING || last.type() == Type.INT || last.type() == Type.FLOAT
        || (last.type() == Type.NAME && !List.of("and", "or", "not", "in", "is").contains(last.text()))
        || last.is(")") || last.is("]");
    return !operand;
  }

  private static int number(String body, int start, int line, List<Token> out) {
    int i = start + (body.charAt(start) == '-' ? 1 : 0);
    while (i < body.length() && Character.isDigit(body.charAt(i))) {
      i++;
    }
    boolean fraction = i + 1 < body.length() && body.charAt(i) == '.' && Character.isDigit(body.charAt(i + 1));
    if (fraction) {
      i++;
      while (i < body.length() && Character.isDigit(body.charAt(i))) {
        i++;
      }
      if (i < body.length() && (body.charAt(i) == 'e' || body.charAt(i) == 'E')) {
        int e = i + 1;
        if (e < body.length() && (body.charAt(e) == '+' || body.charAt(e) == '-')) {
          e++;
        }
        if (e < body.length() && Character.isDigit(body.charAt(e))) {
          i = e;
          while (i < body.length() && Character.isDigit(body.charAt(i))) {
            i++;
          }
        }
      }
    }
    String text = body.substring(start, i);
    try {
      out.add(fraction ? new Token(Type.FLOAT, text, Double.parseDouble(text))
          : new Token(Type.INT, text, Long.parseLong(text)));
    } catch (NumberFormatException e) {
      throw new TemplateSyntaxException(line, "number out of range: " + text);
    }
    return i;
  }

  private static String operatorAt(String body, int i) {
    for (String op : OPERATORS) {
      if (body.startsWith(op, i)) {
        return op;
      }
    }
    return null;
  }

  int line() {
    return line;
  }

  Token peek() {
    return tokens.get(pos);
  }

  Token peek(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  Token next() {
    Token t = tokens.get(pos);
    if (t.type() != Type.END) {
      pos++;
    }
    return t;
  }

  boolean accept(String text) {
    if (peek().is(text)) {
      pos++;
      return true;
    }
    return false;
  }

  void expect(String text) {
    if (!accept(text)) {
      throw error("expected '" + text + "' but found " + describe(peek()));
    }
  }

  String name() {
    Token t = next();
    if (t.type() != Type.NAME) {
      throw error("expected a name but found " + describe(t));
    }
    return t.text();
  }

  void expectEnd() {
    if (peek().type() != Type.END) {
      throw error("unexpected " + describe(peek()));
    }
  }

  TemplateSyntaxException error(String message) {
    return new TemplateSyntaxException(line, message);
  }

  static String describe(Token t) {
    return t.type() == Type.END ? "the end of the tag" : t.type() == Type.STRING ? "a string" : "'" + t.text() + "'";
  }
}
