package org.brokkr.agent.broker;

/** A broker call that failed: its HTTP status (0 when the broker could not be reached). */
public final class BrokerCallException extends RuntimeException {
  private final int status;

  public BrokerCallException(int status, String message, Throwable cause) {
    super(message, cause, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** True when the broker was not reached or not able to answer (worth waiting for). */
  public boolean unreachable() {
    return status == 0 || status >= 500;
  }
}
