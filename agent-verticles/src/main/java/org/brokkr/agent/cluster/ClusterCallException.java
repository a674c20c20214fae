package org.brokkr.agent.cluster;

/**
 * A failed Kubernetes API call, with its HTTP status (0 when none was received) and, when the
 * agent can tell, a hint on what to change.
 */
public final class ClusterCallException extends RuntimeException {
  private final int status;
  private final String reason;
  private final String hint;

  public ClusterCallException(int status, String reason, String message, Throwable cause) {
    this(status, reason, message, cause, null);
  }

  public ClusterCallException(int status, String reason, String message, Throwable cause, String hint) {
    super(message, cause);
    this.status = status;
    this.reason = reason;
    this.hint = hint;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }

  /** What an operator could change to make the call work; null when there is nothing to suggest. */
  public String hint() {
    return hint;
  }
}
