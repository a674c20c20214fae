package org.brokkr.agent.cluster;

/** A failed Kubernetes API call, with its HTTP status (0 when none was received). */
public final class ClusterCallException extends RuntimeException {
  private final int status;
  private final String reason;

  public ClusterCallException(int status, String reason, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.reason = reason;
  }

  public int status() {
    return status;
  }

  public String reason() {
    return reason;
  }
}
