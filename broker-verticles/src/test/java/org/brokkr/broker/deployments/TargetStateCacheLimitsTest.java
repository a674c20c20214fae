package org.brokkr.broker.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TargetStateCacheLimitsTest {

  private static JsonArray stateOf(int bytes) {
    return new JsonArray().add(new JsonObject().put("yaml_content", "x".repeat(bytes)));
  }

  @Test
  void aLargeTargetStateIsAnsweredButNotKept() {
    TargetStateCache cache = new TargetStateCache(60_000, 100);
    cache.listening(true);
    UUID big = UUID.randomUUID();
    UUID small = UUID.randomUUID();

    var answered = cache.put(big, true, stateOf(TargetStateCache.MAX_CACHED_BYTES + 1), cache.generation());
    assertTrue(answered.body().length() > TargetStateCache.MAX_CACHED_BYTES, "the large state is still answered in full");
    assertTrue(cache.get(big, true).isEmpty(), "a state above the limit is not held");

    cache.put(small, true, stateOf(10_000), cache.generation());
    assertTrue(cache.get(small, true).isPresent(), "a state below the limit is held");
    assertEquals(1, cache.size());
  }
}
