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

  /**
   * True when the same request may succeed later: the broker was not reached or failed (0, 5xx),
   * did not take the request yet (408, 429), or refused the credential (401, which an operator can
   * fix). Any other answer (400, 403, 404, 409, 422, ...) will be the same next time.
   */
  public boolean retryable() {
    return unreachable() || status == 401 || status == 408 || status == 429;
  }
}
