package org.brokkr.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.testing.TestDatabase;

/** One in-process run of {@code brokkr-broker <command>}: exit status and what it printed. */
record CliRun(int code, String out, String err) {

  static CliRun of(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BrokerCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The environment that points the CLI at a database, plus extra variables. */
  static Map<String, String> env(DatabaseTarget db, String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("BROKKR__DATABASE__URL", TestDatabase.url(db));
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  /** Asserts a successful run and returns it. */
  CliRun ok() {
    assertEquals(0, code, "exit status; stderr: " + err + " stdout: " + out);
    return this;
  }

  /** The value of a {@code Name: value} line of stdout. */
  String field(String name) {
    for (String line : out.lines().toList()) {
      if (line.startsWith(name + ": ")) {
        return line.substring(name.length() + 2);
      }
    }
    fail("no '" + name + ":' line in " + out);
    return null;
  }

  /** Asserts a failure with exactly one line on stderr, and returns that line. */
  String oneErrorLine(int expectedCode) {
    assertEquals(expectedCode, code, "exit status; stdout: " + out + " stderr: " + err);
    assertEquals("", out, "nothing on stdout when the command fails");
    var lines = err.lines().toList();
    assertEquals(1, lines.size(), "one line on stderr: " + err);
    return lines.get(0);
  }
}
