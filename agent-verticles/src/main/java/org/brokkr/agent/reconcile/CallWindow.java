package org.brokkr.agent.reconcile;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * At most {@code size} Kubernetes calls of a reconcile pass in flight; the others wait, first come
 * first served. Not thread-safe: one pass uses it from one Vert.x context only.
 */
final class CallWindow {
  private final int size;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int inUse;
  private boolean pumping;
  private boolean again;

  CallWindow(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("window size " + size);
    }
    this.size = size;
  }

  /** Runs {@code call} once a place is free; the place is held until its future completes. */
  <T> Future<T> call(Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    waiting.add(() -> {
      Future<T> f;
      try {
        f = call.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        inUse--;
        result.handle(ar);
        pump();
      });
    });
    pump();
    return result.future();
  }

  /**
   * One step per item, up to the window's size at once, started in the items' order; once a step
   * has failed, steps not yet started are skipped. Completes when every started step is done,
   * failing with the failure of the <em>first failed item in order</em>. That is the failure a
   * one-at-a-time loop stopping at the first error would report: every item before it was started
   * before it (the window is first come first served), so before any failure was seen, and ran.
   */
  <T> Future<Void> inOrder(List<T> items, Function<T, Future<Void>> step) {
    boolean[] stop = {false};
    List<Future<Void>> steps = new ArrayList<>(items.size());
    for (T item : items) {
      steps.add(call(() -> stop[0] ? Future.<Void>succeededFuture() : step.apply(item).onFailure(err -> stop[0] = true)));
    }
    return Future.join(steps).transform(ar -> {
      for (Future<Void> f : steps) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture();
    });
  }

  /** Starts what may start; re-entered from a call that completed at once, it only asks its caller to look again. */
  private void pump() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (inUse < size && !waiting.isEmpty()) {
          inUse++;
          waiting.poll().run();
        }
      } while (again);
    } finally {
      pumping = false;
    }
  }
}
