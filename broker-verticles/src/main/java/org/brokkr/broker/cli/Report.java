package org.brokkr.broker.cli;

import java.util.List;

/** What a command prints: its result on stdout, warnings on stderr. */
record Report(List<String> lines, List<String> warnings) {
  static Report of(String... lines) {
    return new Report(List.of(lines), List.of());
  }
}
