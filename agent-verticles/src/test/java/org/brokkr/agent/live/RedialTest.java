package org.brokkr.agent.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedialTest {
  @Test
  void waitsDoubleFromOneSecondUpToAMinuteAndStartOverAfterAConnection() {
    Redial redial = new Redial(() -> 0.5);
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      waits.add(redial.nextDelayMillis());
    }
    assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L, 60_000L, 60_000L, 60_000L), waits);
    redial.connected();
    assertEquals(1_000L, redial.nextDelayMillis());
  }

  @Test
  void jitterIsTwentyPercentEitherWay() {
    assertEquals(800L, new Redial(() -> 0.0).nextDelayMillis());
    assertEquals(1_200L, new Redial(() -> 1.0).nextDelayMillis());
  }

  @Test
  void fiveRefusalsInARowGiveUpAndAnyOtherFailureBreaksTheRow() {
    Redial redial = new Redial(() -> 0.5);
    for (int i = 0; i < 4; i++) {
      assertFalse(redial.refused());
    }
    redial.failedOtherwise();
    for (int i = 0; i < 4; i++) {
      assertFalse(redial.refused());
    }
    assertTrue(redial.refused());
  }
}
