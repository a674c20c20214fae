package org.brokkr.broker.support;

import org.slf4j.Logger;

/**
 * How failures are logged: an unexpected one as a single error entry (with its stack trace when
 * that helps), a refused request (4xx) at debug in one line and never with a stack trace.
 */
public final class FailureLog {
  private FailureLog() {}

  /** A server-side failure; {@code context} is the key=value prefix, e.g. {@code operation=x}. */
  public static void unexpected(Logger log, String context, Throwable cause) {
    if (cause instanceof StackOverflowError) {
      // thousands of identical frames say nothing the error's name does not
      log.error("{} failed error={} stack_trace=omitted", context, cause.getClass().getName());
      return;
    }
    log.error("{} failed error={}", context, oneLine(String.valueOf(cause)), cause);
  }

  /** A request refused for what the client sent. */
  public static void refused(Logger log, String context, int status, String code) {
    if (log.isDebugEnabled()) {
      log.debug("{} refused status={} code={}", context, status, code);
    }
  }

  /** Keeps a message on one log line. */
  public static String oneLine(String text) {
    return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
