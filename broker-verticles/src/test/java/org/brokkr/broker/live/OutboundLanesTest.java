package org.brokkr.broker.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.brokkr.broker.live.OutboundLanes.Lane;
import org.junit.jupiter.api.Test;

class OutboundLanesTest {
  @Test
  void eachLaneHoldsItsCapAndRefusesTheRest() {
    OutboundLanes lanes = new OutboundLanes();
    for (int i = 0; i < 64; i++) {
      assertTrue(lanes.offer(Lane.CONTROL, "c" + i));
    }
    assertFalse(lanes.offer(Lane.CONTROL, "one too many"));
    for (int i = 0; i < 1024; i++) {
      assertTrue(lanes.offer(Lane.TELEMETRY, "t" + i));
    }
    assertFalse(lanes.offer(Lane.TELEMETRY, "one too many"));
    assertEquals(64, lanes.size(Lane.CONTROL));
    assertEquals(1024, lanes.size(Lane.TELEMETRY));
  }

  @Test
  void controlGoesFirstAndEachLaneKeepsItsOrder() {
    OutboundLanes lanes = new OutboundLanes();
    lanes.offer(Lane.TELEMETRY, "t1");
    lanes.offer(Lane.TELEMETRY, "t2");
    lanes.offer(Lane.CONTROL, "c1");
    assertEquals("c1", lanes.poll());
    lanes.offer(Lane.CONTROL, "c2");
    assertEquals("c2", lanes.poll());
    assertEquals("t1", lanes.poll());
    assertEquals("t2", lanes.poll());
    assertNull(lanes.poll());
  }
}
