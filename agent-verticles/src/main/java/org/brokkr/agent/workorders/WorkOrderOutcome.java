package org.brokkr.agent.workorders;

import java.util.List;
import java.util.Locale;

/** What the agent reports for a claimed work order: {@code POST /work-orders/{id}/complete}. */
public record WorkOrderOutcome(boolean success, String message, boolean retryable) {
  /** Words that mark an error another attempt would repeat; they win over the transient ones. */
  private static final List<String> PERMANENT = List.of("notfound", "not found", "forbidden", "unauthorized",
      "badrequest", "bad request", "invalid", "unprocessable", "conflict");
  private static final List<String> TRANSIENT = List.of("timeout", "unavailable", "connection", "network", "internal",
      "too many requests", "throttl");
  private static final int MAX_MESSAGE = 4000;

  public static WorkOrderOutcome succeeded(String message) {
    return new WorkOrderOutcome(true, message, true);
  }

  /** The outcome of a failed execution: its message, retryable as the executor decided or as its text says. */
  public static WorkOrderOutcome failed(Throwable error) {
    String message = error.getMessage() == null || error.getMessage().isBlank()
        ? error.getClass().getSimpleName() : error.getMessage();
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE);
    }
    boolean retryable = error instanceof WorkOrderFailure f && f.retryable() != null ? f.retryable() : retryableByText(message);
    return new WorkOrderOutcome(false, message, retryable);
  }

  /**
   * The reference's rule for errors without an explicit disposition: permanent words first, then
   * transient words, and anything else is not retried (so an unknown error cannot loop).
   */
  public static boolean retryableByText(String message) {
    String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (PERMANENT.stream().anyMatch(text::contains)) {
      return false;
    }
    return TRANSIENT.stream().anyMatch(text::contains);
  }
}
