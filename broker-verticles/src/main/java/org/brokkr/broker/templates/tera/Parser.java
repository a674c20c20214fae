package org.brokkr.broker.templates.tera;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Statements: output, {@code if/elif/else/endif}, {@code for/else/endfor} (one value or
 * {@code key, value}), {@code set}, {@code set_global}, {@code break}, {@code continue}, raw
 * text and comments. Template composition ({@code extends}, {@code include}, {@code import},
 * {@code macro}, {@code block}, {@code filter}) does not apply to a single stored template and is
 * refused.
 */
final class Parser {
  /** Deepest nesting of blocks. */
  static final int MAX_BLOCK_DEPTH = 64;
  private static final Set<String> UNSUPPORTED = Set.of("extends", "include", "import", "macro", "endmacro",
      "block", "endblock", "filter", "endfilter");

  private final List<Scanner.Segment> segments;
  private int pos;
  private int depth;
  private int loops;

  private Parser(List<Scanner.Segment> segments) {
    this.segments = segments;
  }

  static List<Node> parse(String source) {
    Parser p = new Parser(Scanner.scan(source));
    Body body = p.body(Set.of());
    if (body.end() != null) {
      throw new TemplateSyntaxException(body.endLine(), "'" + body.end() + "' without an opening tag");
    }
    return body.nodes();
  }

  /** Nodes up to (not including) one of the closing keywords, which is returned with its tokens. */
  private record Body(List<Node> nodes, String end, Tokens endTokens, int endLine) {}

  private Body body(Set<String> closers) {
    List<Node> nodes = new ArrayList<>();
    while (pos < segments.size()) {
      Scanner.Segment s = segments.get(pos++);
      switch (s.kind()) {
        case TEXT, RAW -> nodes.add(new Node.Text(s.body()));
        case OUTPUT -> nodes.add(output(s));
        case TAG -> {
          Tokens t = Tokens.of(s.body(), s.line());
          String keyword = t.name();
          if (closers.contains(keyword)) {
            return new Body(nodes, keyword, t, s.line());
          }
          nodes.add(statement(keyword, t, s.line()));
        }
        default -> throw new IllegalStateException();
      }
    }
    return new Body(nodes, null, null, 0);
  }

  private Node output(Scanner.Segment s) {
    Tokens t = Tokens.of(s.body(), s.line());
    if (t.peek().type() == Tokens.Type.END) {
      throw t.error("empty {{ }}");
    }
    Expr e = new ExpressionParser(t).expression();
    t.expectEnd();
    return new Node.Output(e, s.line());
  }

  private Node statement(String keyword, Tokens t, int line) {
    switch (keyword) {
      case "if":
        return ifBlock(t, line);
      case "for":
        return forBlock(t, line);
      case "set":
      case "set_global": {
        String name = t.name();
        t.expect("=");
        Expr value = new ExpressionParser(t).expression();
        t.expectEnd();
        return new Node.Set(name, value, keyword.equals("set_global"), line);
      }
      case "break":
      case "continue":
        if (loops == 0) {
          throw t.error("'" + keyword + "' outside a for loop");
        }
        t.expectEnd();
        return keyword.equals("break") ? new Node.Break() : new Node.Continue();
      default:
        if (UNSUPPORTED.contains(keyword)) {
          throw t.error("'" + keyword + "' is not supported in a stack template");
        }
        throw t.error("unknown tag '" + keyword + "'");
    }
  }

  private Node ifBlock(Tokens t, int line) {
    enter(t);
    List<Node.Branch> branches = new ArrayList<>();
    Expr condition = condition(t);
    int branchLine = line;
    while (true) {
      Body body = body(Set.of("elif", "else", "endif"));
      if (body.end() == null) {
        throw new TemplateSyntaxException(line, "{% if %} without {% endif %}");
      }
      branches.add(new Node.Branch(condition, body.nodes(), branchLine));
      switch (body.end()) {
        case "elif" -> {
          condition = condition(body.endTokens());
          branchLine = body.endLine();
        }
        case "else" -> {
          body.endTokens().expectEnd();
          Body otherwise = body(Set.of("endif", "elif", "else"));
          if (!"endif".equals(otherwise.end())) {
            throw new TemplateSyntaxException(otherwise.end() == null ? line : otherwise.endLine(),
                otherwise.end() == null ? "{% if %} without {% endif %}" : "'" + otherwise.end() + "' after {% else %}");
          }
          otherwise.endTokens().expectEnd();
          depth--;
          return new Node.If(branches, otherwise.nodes());
        }
        default -> {
          body.endTokens().expectEnd();
          depth--;
          return new Node.If(branches, List.of());
        }
      }
    }
  }

  private static Expr condition(Tokens t) {
    Expr e = new ExpressionParser(t).expression();
    t.expectEnd();
    return e;
  }

  private Node forBlock(Tokens t, int line) {
    enter(t);
    String first = t.name();
    String key = null;
    String value = first;
    if (t.accept(",")) {
      key = first;
      value = t.name();
    }
    t.expect("in");
    Expr container = condition(t);
    loops++;
    Body body = body(Set.of("else", "endfor"));
    loops--;
    if (body.end() == null) {
      throw new TemplateSyntaxException(line, "{% for %} without {% endfor %}");
    }
    body.endTokens().expectEnd();
    List<Node> empty = List.of();
    if (body.end().equals("else")) {
      Body otherwise = body(Set.of("endfor"));
      if (otherwise.end() == null) {
        throw new TemplateSyntaxException(line, "{% for %} without {% endfor %}");
      }
      otherwise.endTokens().expectEnd();
      empty = otherwise.nodes();
    }
    depth--;
    return new Node.For(key, value, container, body.nodes(), empty, line);
  }

  private void enter(Tokens t) {
    if (++depth > MAX_BLOCK_DEPTH) {
      throw t.error("blocks nested more than " + MAX_BLOCK_DEPTH + " deep");
    }
  }
}
