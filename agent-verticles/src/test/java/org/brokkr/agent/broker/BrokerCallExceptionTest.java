package org.brokkr.agent.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which broker answers are worth sending the same request again (queued events stay), and which never change. */
class BrokerCallExceptionTest {
  private static BrokerCallException answered(int status) {
    return new BrokerCallException(status, "broker answered " + status, null);
  }

  @Test
  void notReachedServerErrorsTimeoutsThrottlingAndRefusedCredentialsAreRetried() {
    for (int status : new int[] {0, 500, 502, 503, 504, 401, 408, 429}) {
      assertTrue(answered(status).retryable(), "status " + status);
    }
  }

  @Test
  void otherClientErrorsWillNeverSucceed() {
    for (int status : new int[] {400, 403, 404, 409, 410, 422}) {
      assertFalse(answered(status).retryable(), "status " + status);
    }
  }
}
