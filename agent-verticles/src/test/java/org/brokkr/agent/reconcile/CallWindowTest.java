package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The window by hand: each call's future is a promise the test completes, all on the test's thread. */
class CallWindowTest {
  private final List<Promise<Void>> started = new ArrayList<>();
  private final List<Integer> order = new ArrayList<>();

  private Future<Void> call(int i) {
    Promise<Void> p = Promise.promise();
    started.add(p);
    order.add(i);
    return p.future();
  }

  @Test
  void neverMoreThanItsSizeInFlightAndFirstComeFirstServed() {
    CallWindow window = new CallWindow(3);
    List<Future<Void>> calls = IntStream.range(0, 7).mapToObj(i -> window.call(() -> call(i))).toList();
    assertEquals(List.of(0, 1, 2), order);
    started.get(1).complete();
    assertEquals(List.of(0, 1, 2, 3), order);
    started.get(0).fail("no");
    started.get(2).complete();
    assertEquals(List.of(0, 1, 2, 3, 4, 5), order);
    assertTrue(calls.get(0).failed());
    assertTrue(calls.get(1).succeeded());
    for (int i = 3; i < 6; i++) {
      started.get(i).complete();
    }
    started.get(6).complete();
    assertTrue(calls.stream().skip(1).allMatch(Future::succeeded));
  }

  @Test
  void callsThatCompleteAtOnceDoNotDeepenTheStack() {
    CallWindow window = new CallWindow(2);
    List<Future<Void>> calls = IntStream.range(0, 100_000).mapToObj(i -> window.call(Future::<Void>succeededFuture)).toList();
    assertTrue(calls.stream().allMatch(Future::succeeded));
  }

  @Test
  void inOrderReportsTheFirstFailureInOrderAndSkipsWhatHadNotStarted() {
    CallWindow window = new CallWindow(3);
    Future<Void> all = window.inOrder(List.of(0, 1, 2, 3, 4), this::call);
    assertEquals(List.of(0, 1, 2), order);
    started.get(2).fail("third");
    assertEquals(List.of(0, 1, 2), order, "nothing starts after a failure");
    started.get(1).fail("second");
    assertFalse(all.isComplete(), "waits for what is in flight");
    started.get(0).complete();
    assertTrue(all.failed());
    assertEquals("second", all.cause().getMessage(), "the failure a one-at-a-time loop would have stopped at");
    assertEquals(List.of(0, 1, 2), order, "3 and 4 were skipped");
  }

  @Test
  void inOrderWithAWindowOfOneIsOneAtATime() {
    CallWindow window = new CallWindow(1);
    Future<Void> all = window.inOrder(List.of(0, 1, 2), this::call);
    assertEquals(List.of(0), order);
    started.get(0).complete();
    assertEquals(List.of(0, 1), order);
    started.get(1).fail("second");
    assertTrue(all.failed());
    assertEquals(List.of(0, 1), order);
    assertTrue(window.inOrder(List.<Integer>of(), this::call).succeeded());
  }
}
