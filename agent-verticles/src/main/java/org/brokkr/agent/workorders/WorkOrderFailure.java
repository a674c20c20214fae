package org.brokkr.agent.workorders;

import org.brokkr.agent.cluster.ClusterCallException;

/**
 * A work order that could not be carried out. When the executor knows whether trying again can
 * help, it says so; otherwise ({@code retryable == null}) the message decides, as in
 * {@link WorkOrderOutcome#retryableByText}.
 */
public final class WorkOrderFailure extends RuntimeException {
  private final Boolean retryable;

  private WorkOrderFailure(String message, Boolean retryable) {
    super(message, null, false, false);
    this.retryable = retryable;
  }

  /** A failure another attempt would repeat (the broker records it for good). */
  public static WorkOrderFailure permanent(String message) {
    return new WorkOrderFailure(message, false);
  }

  /** A failure whose message tells whether it is worth another attempt. */
  public static WorkOrderFailure classifiedByText(String message) {
    return new WorkOrderFailure(message, null);
  }

  /**
   * An error's text for a result message: the API server's words plus its status and reason
   * (which the retry rule reads: {@code ServiceUnavailable}, {@code Forbidden}, ...).
   */
  public static String describe(Throwable error) {
    String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    if (error instanceof ClusterCallException e && e.status() > 0) {
      return message + " (HTTP " + e.status() + (e.reason() == null ? "" : " " + e.reason()) + ")";
    }
    return message;
  }

  /** True or false when the executor decided; null when the message decides. */
  public Boolean retryable() {
    return retryable;
  }
}
