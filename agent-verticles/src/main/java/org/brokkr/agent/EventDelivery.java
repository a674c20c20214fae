package org.brokkr.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sends queued deployment events, up to {@link #IN_FLIGHT} at a time, each deployment object's
 * events strictly in their queued order (the broker keeps the latest outcome per object, so two
 * of one object must never race; events of different objects are independent). One after another
 * a pass of 50 stacks waited 50 broker round trips; the window makes that about 7.
 *
 * <p>After a failure no further event is started (those in flight complete): what was not sent
 * stays queued, in order, for the next poll, as with one at a time.
 */
final class EventDelivery {
  /** Events in flight at most: the broker client's connection pool has room for them beside the other timers. */
  static final int IN_FLIGHT = 8;

  private EventDelivery() {}

  /**
   * Sends every event of {@code queued} through {@code send}, whose failure stops the delivery;
   * the result fails with the first failure. Must run on one context (the caller's).
   */
  static Future<Void> deliver(List<JsonObject> queued, Function<JsonObject, Future<Void>> send) {
    Map<Object, Deque<JsonObject>> byObject = new LinkedHashMap<>();
    for (JsonObject event : queued) {
      byObject.computeIfAbsent(event.getValue("deployment_object_id"), k -> new ArrayDeque<>()).add(event);
    }
    Deque<Deque<JsonObject>> objects = new ArrayDeque<>(byObject.values());
    Promise<Void> done = Promise.promise();
    new Object() {
      private int active;
      private Throwable failure;

      void fill() {
        while (failure == null && active < IN_FLIGHT && !objects.isEmpty()) {
          active++;
          next(objects.poll());
        }
        if (active == 0) {
          if (failure == null) {
            done.tryComplete();
          } else {
            done.tryFail(failure);
          }
        }
      }

      /** The object's next event; its lane moves on to another object once this one has none left. */
      void next(Deque<JsonObject> events) {
        send.apply(events.poll()).onComplete(ar -> {
          if (ar.failed() && failure == null) {
            failure = ar.cause();
          }
          if (failure == null && !events.isEmpty()) {
            next(events);
          } else {
            active--;
            fill();
          }
        });
      }
    }.fill();
    return done.future();
  }
}
