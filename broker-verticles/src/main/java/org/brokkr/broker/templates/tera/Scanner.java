package org.brokkr.broker.templates.tera;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template text into literal text and the bodies of {@code {{ }}}, {@code {% %}} and
 * {@code {# #}}, honouring quoted strings inside tags, {@code {% raw %}} blocks and the
 * whitespace-control dashes ({@code {%-} trims the text before, {@code -%}} the text after).
 */
final class Scanner {
  enum Kind { TEXT, OUTPUT, TAG, RAW }

  /** One piece of the template; {@code body} is the text between the delimiters (dashes removed). */
  record Segment(Kind kind, String body, int line) {}

  private static final Pattern END_RAW = Pattern.compile("\\{%(-?)\\s*endraw\\s*(-?)%}");
  private static final Pattern RAW = Pattern.compile("\\s*raw\\s*");

  private final String src;
  private final List<Segment> out = new ArrayList<>();
  /** Whether each emitted segment asked to trim the text before / after it. */
  private final List<boolean[]> trims = new ArrayList<>();
  /** Offsets of the newlines, for line numbers in messages. */
  private int[] newlines;

  private Scanner(String src) {
    this.src = src;
  }

  static List<Segment> scan(String src) {
    return new Scanner(src).run();
  }

  private List<Segment> run() {
    int i = 0;
    while (i < src.length()) {
      int open = nextOpening(i);
      if (open < 0) {
        text(src.substring(i), line(i));
        break;
      }
      if (open > i) {
        text(src.substring(i, open), line(i));
      }
      char kind = src.charAt(open + 1);
      i = kind == '#' ? comment(open) : tag(open, kind == '{' ? "}}" : "%}");
    }
    return applyWhitespaceControl();
  }

  private int nextOpening(int from) {
    for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
      char c = src.charAt(i + 1);
      if (c == '{' || c == '%' || c == '#') {
        return i;
      }
    }
    return -1;
  }

  private int comment(int open) {
    int close = src.indexOf("#}", open + 2);
    if (close < 0) {
      throw new TemplateSyntaxException(line(open), "unclosed comment");
    }
    boolean trimBefore = open + 2 < close && src.charAt(open + 2) == '-';
    boolean trimAfter = close > open + 2 && src.charAt(close - 1) == '-';
    emit(new Segment(Kind.TAG, null, line(open)), trimBefore, trimAfter);
    return close + 2;
  }

  private int tag(int open, String closing) {
    int start = open + 2;
    boolean trimBefore = start < src.length() && src.charAt(start) == '-';
    if (trimBefore) {
      start++;
    }
    int i = start;
    while (i < src.length()) {
      char c = src.charAt(i);
      if (c == '"' || c == '\'' || c == '`') {
        int end = src.indexOf(c, i + 1);
        if (end < 0) {
          throw new TemplateSyntaxException(line(i), "unterminated string");
        }
        i = end + 1;
        continue;
      }
      if (src.startsWith(closing, i)) {
        boolean trimAfter = i > start && src.charAt(i - 1) == '-';
        String body = src.substring(start, trimAfter ? i - 1 : i);
        boolean output = closing.equals("}}");
        if (!output && RAW.matcher(body).matches()) {
          return raw(open, i + 2, trimBefore, trimAfter);
        }
        emit(new Segment(output ? Kind.OUTPUT : Kind.TAG, body, line(open)), trimBefore, trimAfter);
        return i + 2;
      }
      i++;
    }
    throw new TemplateSyntaxException(line(open), "unclosed " + (closing.equals("}}") ? "{{" : "{%"));
  }

  private int raw(int open, int bodyStart, boolean trimBefore, boolean trimStartOfBody) {
    Matcher end = END_RAW.matcher(src);
    if (!end.find(bodyStart)) {
      throw new TemplateSyntaxException(line(open), "{% raw %} without {% endraw %}");
    }
    String body = src.substring(bodyStart, end.start());
    if (trimStartOfBody) {
      body = Values.trimStart(body);
    }
    if (!end.group(1).isEmpty()) {
      body = Values.trimEnd(body);
    }
    emit(new Segment(Kind.RAW, body, line(open)), trimBefore, !end.group(2).isEmpty());
    return end.end();
  }

  private void text(String s, int line) {
    emit(new Segment(Kind.TEXT, s, line), false, false);
  }

  private void emit(Segment s, boolean trimBefore, boolean trimAfter) {
    out.add(s);
    trims.add(new boolean[] {trimBefore, trimAfter});
  }

  private List<Segment> applyWhitespaceControl() {
    List<Segment> result = new ArrayList<>(out.size());
    for (int k = 0; k < out.size(); k++) {
      Segment s = out.get(k);
      if (s.kind() == Kind.TEXT) {
        String text = s.body();
        if (k > 0 && trims.get(k - 1)[1]) {
          text = Values.trimStart(text);
        }
        if (k + 1 < out.size() && trims.get(k + 1)[0]) {
          text = Values.trimEnd(text);
        }
        if (!text.isEmpty()) {
          result.add(new Segment(Kind.TEXT, text, s.line()));
        }
      } else if (s.body() != null) {
        result.add(s);
      }
    }
    return result;
  }

  private int line(int offset) {
    if (newlines == null) {
      newlines = src.chars().filter(c -> c == '\n').count() == 0 ? new int[0]
          : java.util.stream.IntStream.range(0, src.length()).filter(i -> src.charAt(i) == '\n').toArray();
    }
    int at = java.util.Arrays.binarySearch(newlines, offset);
    return (at >= 0 ? at : -at - 1) + 1;
  }
}
