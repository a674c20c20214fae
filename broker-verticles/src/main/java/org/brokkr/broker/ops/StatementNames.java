package org.brokkr.broker.ops;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.brokkr.codecs.Pak;

/**
 * A short, stable name for an SQL text: its verb, the first table it names and six hex digits of
 * its hash, e.g. {@code select_agents_3fa2c1}. Two call sites with different SQL never share a
 * name; the same SQL keeps its name across builds and replicas.
 */
final class StatementNames {
  private static final Pattern TABLE = Pattern.compile(
      "\\b(?:from|into|update|join)\\s+(?:only\\s+)?\"?([a-z_][a-z0-9_]*)", Pattern.CASE_INSENSITIVE);
  private static final Pattern VERB = Pattern.compile("^\\s*([a-z]+)", Pattern.CASE_INSENSITIVE);

  private StatementNames() {}

  static String of(String sql) {
    Matcher verb = VERB.matcher(sql);
    String v = verb.find() ? verb.group(1).toLowerCase(Locale.ROOT) : "sql";
    Matcher table = TABLE.matcher(sql);
    String t = table.find() ? "_" + table.group(1).toLowerCase(Locale.ROOT) : "";
    return v + t + "_" + Pak.sha256Hex(sql).substring(0, 6);
  }

  static String oneLine(String sql) {
    return sql.replaceAll("\\s+", " ").trim();
  }
}
