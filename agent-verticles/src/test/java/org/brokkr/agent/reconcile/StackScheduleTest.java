package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackScheduleTest {
  private final Map<Integer, Promise<Void>> running = new HashMap<>();
  private final List<Integer> started = new ArrayList<>();

  private Future<Void> start(int i) {
    Promise<Void> p = Promise.promise();
    running.put(i, p);
    started.add(i);
    return p.future();
  }

  private void finish(int i) {
    running.remove(i).complete();
  }

  private static StackSchedule.Entry plain(String... keys) {
    return new StackSchedule.Entry(Set.of(keys), false);
  }

  private static StackSchedule.Entry alone(String... keys) {
    return new StackSchedule.Entry(Set.of(keys), true);
  }

  @Test
  void disjointEntriesRunTogetherUpToTheLimit() {
    Future<Void> done = StackSchedule.run(List.of(plain("a"), plain("b"), plain("c"), plain("d")), 3, this::start);
    assertEquals(List.of(0, 1, 2), started);
    finish(1);
    assertEquals(List.of(0, 1, 2, 3), started);
    finish(0);
    finish(2);
    assertFalse(done.isComplete());
    finish(3);
    assertTrue(done.succeeded());
  }

  @Test
  void anExclusiveEntryWaitsForAllBeforeItAndHoldsBackAllAfterIt() {
    Future<Void> done = StackSchedule.run(List.of(plain("a"), plain("b"), alone("ns"), plain("c"), plain("d")), 8, this::start);
    assertEquals(List.of(0, 1), started);
    finish(0);
    assertEquals(List.of(0, 1), started);
    finish(1);
    assertEquals(List.of(0, 1, 2), started);
    finish(2);
    assertEquals(List.of(0, 1, 2, 3, 4), started);
    finish(3);
    finish(4);
    assertTrue(done.succeeded());
  }

  @Test
  void entriesSharingAKeyKeepTheirOrderAndLaterOnesWaitInLine() {
    Future<Void> done = StackSchedule.run(List.of(plain("a", "x"), plain("b"), plain("x"), plain("c")), 8, this::start);
    assertEquals(List.of(0, 1), started, "2 shares x with 0; 3 starts only after 2 has");
    finish(1);
    assertEquals(List.of(0, 1), started);
    finish(0);
    assertEquals(List.of(0, 1, 2, 3), started);
    finish(2);
    finish(3);
    assertTrue(done.succeeded());
  }

  @Test
  void aLimitOfOneIsOneAtATimeAndFailuresDoNotStopTheRest() {
    List<Integer> seen = new ArrayList<>();
    Future<Void> done = StackSchedule.run(List.of(plain("a"), plain("b"), plain("c")), 1, i -> {
      seen.add(i);
      return i == 1 ? Future.failedFuture("broken") : Future.succeededFuture();
    });
    assertTrue(done.succeeded());
    assertEquals(List.of(0, 1, 2), seen);
    assertTrue(StackSchedule.run(List.of(), 4, this::start).succeeded());
  }
}
