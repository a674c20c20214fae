package org.brokkr.broker.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  @Test
  void backoffDoublesWithEachRetry() {
    assertEquals(120, RetryBackoff.delaySeconds(60, 1));
    assertEquals(240, RetryBackoff.delaySeconds(60, 2));
    assertEquals(480, RetryBackoff.delaySeconds(60, 3));
    assertEquals(1, RetryBackoff.delaySeconds(1, 0));
  }

  @Test
  void absurdSettingsSaturateInsteadOfOverflowing() {
    assertEquals(RetryBackoff.MAX_DELAY_SECONDS, RetryBackoff.delaySeconds(Integer.MAX_VALUE, 1));
    assertEquals(RetryBackoff.MAX_DELAY_SECONDS, RetryBackoff.delaySeconds(Integer.MAX_VALUE, 31));
    assertEquals(RetryBackoff.MAX_DELAY_SECONDS, RetryBackoff.delaySeconds(1, 32));
    assertEquals(RetryBackoff.MAX_DELAY_SECONDS, RetryBackoff.delaySeconds(60, Integer.MAX_VALUE));
  }
}
