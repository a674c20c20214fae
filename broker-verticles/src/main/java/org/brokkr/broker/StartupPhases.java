package org.brokkr.broker;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a start spends its time: one line per phase at debug and a summary line at info when
 * the broker is ready. Every phase is given as the milliseconds from the start of counting to its
 * end (the HTTP front and the database are brought up at the same time, so durations of their
 * phases would overlap). A broker started by {@code main} counts from the JVM's own start, as the
 * operating system reports it, so what happens before {@code main} shows up too.
 */
public final class StartupPhases {
  private final List<String> done = new ArrayList<>();
  private final long origin;

  private StartupPhases(long origin) {
    this.origin = origin;
  }

  /**
   * Counting from the JVM's start, as the JVM recorded it (the process's start time from the
   * operating system is only as precise as the boot time it is derived from: a whole second).
   */
  public static StartupPhases sinceJvmStart() {
    return new StartupPhases(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
  }

  /** Counting from now (a broker started inside a running JVM, as the tests do). */
  public static StartupPhases sinceNow() {
    return new StartupPhases(System.currentTimeMillis());
  }

  /** The phase of this name has ended now. */
  public synchronized void end(String phase) {
    long at = System.currentTimeMillis() - origin;
    done.add(phase + "=" + at);
  }

  /**
   * The one summary line: every phase so far, in the order they ended. Phases are logged only
   * here, since the first ones end before logging is configured.
   */
  public synchronized void summarize() {
    Logger log = LoggerFactory.getLogger(StartupPhases.class);
    if (log.isDebugEnabled()) {
      done.forEach(phase -> log.debug("startup phase {}", phase));
    }
    log.info("startup phases (ms from start to the end of each) {}", String.join(" ", done));
  }
}
