package org.brokkr.agent.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.function.Function;

/**
 * Runs an asynchronous step for each item, one after another, stopping at the first failure.
 * Unlike a chain of {@code compose} calls, steps that complete at once (an answer already in a
 * cache) do not deepen the stack, so thousands of pods or events are fine.
 */
public final class InTurn {
  private InTurn() {}

  public static <T> Future<Void> each(List<T> items, Function<T, Future<?>> step) {
    Promise<Void> done = Promise.promise();
    new Object() {
      private int next;

      void run() {
        while (next < items.size()) {
          Future<?> f = step.apply(items.get(next++));
          if (!f.isComplete()) {
            f.onComplete(ar -> {
              if (ar.failed()) {
                done.fail(ar.cause());
              } else {
                run();
              }
            });
            return;
          }
          if (f.failed()) {
            done.fail(f.cause());
            return;
          }
        }
        done.complete();
      }
    }.run();
    return done.future();
  }
}
