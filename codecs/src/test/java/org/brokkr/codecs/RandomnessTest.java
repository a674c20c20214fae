package org.brokkr.codecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RandomnessTest {

  @Test
  void uuidsAreVersion4WithTheIetfVariantAndDistinct() {
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      UUID id = Randomness.uuid();
      assertEquals(4, id.version(), id.toString());
      assertEquals(2, id.variant(), id.toString());
      assertEquals(id, UUID.fromString(id.toString()));
      seen.add(id);
    }
    assertEquals(1_000, seen.size());
  }

  @Test
  void bytesHaveTheRequestedLength() {
    assertEquals(24, Randomness.bytes(24).length);
    assertEquals(0, Randomness.bytes(0).length);
  }
}
