package org.brokkr.broker.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One parsed {@code /metrics} answer: every sample line, keyed by its series ({@code name{labels}}). */
record Scrape(String text, Map<String, Double> samples) {
  static Scrape parse(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(text, out);
  }

  /** The sample of {@code name} with exactly these labels (in any order), or 0 when absent. */
  double value(String name, String... labels) {
    Map<String, String> wanted = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    for (var e : samples.entrySet()) {
      String key = e.getKey();
      String n = key.contains("{") ? key.substring(0, key.indexOf('{')) : key;
      if (n.equals(name) && labelsOf(key).equals(wanted)) {
        return e.getValue();
      }
    }
    return 0;
  }

  /** Series of one metric name, for assertions over all of them. */
  List<String> series(String name) {
    return samples.keySet().stream().filter(k -> k.equals(name) || k.startsWith(name + "{")).toList();
  }

  static Map<String, String> labelsOf(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    int open = key.indexOf('{');
    if (open < 0) {
      return out;
    }
    String body = key.substring(open + 1, key.length() - 1);
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      int start = eq + 2;
      int end = start;
      while (body.charAt(end) != '"' || body.charAt(end - 1) == '\\') {
        end++;
      }
      out.put(body.substring(i, eq), body.substring(start, end));
      i = end + 1;
      if (i < body.length() && body.charAt(i) == ',') {
        i++;
      }
    }
    return out;
  }
}
