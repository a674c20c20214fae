package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Steps one after another, for lists as long as a big cluster's pods. */
class InTurnTest {
  private final List<Integer> items = IntStream.range(0, 200_000).boxed().toList();

  @Test
  void manyStepsAfterOneThatWaitedDoNotExhaustTheStack() {
    Promise<Void> slow = Promise.promise();
    List<Integer> seen = new ArrayList<>();
    Future<Void> done = InTurn.each(items, i -> {
      seen.add(i);
      return i == 0 ? slow.future() : Future.succeededFuture();
    });
    assertFalse(done.isComplete());
    assertEquals(List.of(0), seen, "nothing runs before the step in flight completes");
    slow.complete();
    assertTrue(done.succeeded(), String.valueOf(done.cause()));
    assertEquals(items, seen);
  }

  @Test
  void theFirstFailureStopsTheRest() {
    List<Integer> seen = new ArrayList<>();
    Future<Void> done = InTurn.each(items, i -> {
      seen.add(i);
      return i == 3 ? Future.failedFuture("no") : Future.succeededFuture();
    });
    assertTrue(done.failed());
    assertEquals(List.of(0, 1, 2, 3), seen);
    assertTrue(InTurn.each(List.of(), i -> Future.failedFuture("never")).succeeded());
  }
}
