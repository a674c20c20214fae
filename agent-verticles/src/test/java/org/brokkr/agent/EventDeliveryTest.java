package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deployment events up to 8 at a time: each object's in queued order however long each send
 * takes, never more than 8 in flight, and after a failure nothing further is started.
 */
class EventDeliveryTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = TestVertx.create();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static List<JsonObject> events(int objects, int perObject) {
    List<JsonObject> out = new ArrayList<>();
    for (int n = 0; n < perObject; n++) {
      for (int o = 0; o < objects; o++) {
        out.add(new JsonObject().put("deployment_object_id", "object-" + o).put("seq", n));
      }
    }
    return out;
  }

  /** Sends with a random delay (1..15 ms) on the test's context, recording starts, ends and what was in flight. */
  private final class Recorder {
    final List<JsonObject> started = new ArrayList<>();
    final List<JsonObject> completed = new ArrayList<>();
    final Random random = new Random(7);
    int inFlight;
    int maxInFlight;
    JsonObject failOn;

    Future<Void> send(JsonObject event) {
      started.add(event);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      Promise<Void> p = Promise.promise();
      vertx.setTimer(1 + random.nextInt(15), id -> {
        inFlight--;
        if (event == failOn) {
          p.fail("broker unreachable");
        } else {
          completed.add(event);
          p.complete();
        }
      });
      return p.future();
    }
  }

  private <T> T onContext(java.util.function.Supplier<Future<T>> work) throws Exception {
    AtomicReference<Future<T>> f = new AtomicReference<>();
    Promise<T> done = Promise.promise();
    vertx.runOnContext(v -> {
      f.set(work.get());
      f.get().onComplete(done);
    });
    return done.future().await(60, TimeUnit.SECONDS);
  }

  @Test
  void eachObjectsEventsKeepTheirOrderWithEightInFlight() throws Exception {
    List<JsonObject> queued = events(30, 4);
    Recorder recorder = new Recorder();
    onContext(() -> EventDelivery.deliver(queued, recorder::send));
    assertEquals(queued.size(), recorder.completed.size());
    assertEquals(EventDelivery.IN_FLIGHT, recorder.maxInFlight, "eight in flight, never more");
    Map<String, Integer> last = new HashMap<>();
    for (JsonObject e : recorder.started) {
      String object = e.getString("deployment_object_id");
      int seq = e.getInteger("seq");
      assertEquals(last.getOrDefault(object, -1) + 1, seq, "events of " + object + " start in order");
      // and each one only once the one before it was taken
      if (seq > 0) {
        int before = indexOf(recorder.completed, object, seq - 1);
        assertTrue(before >= 0 && before < indexOf(recorder.completed, object, seq), object + " " + seq);
      }
      last.put(object, seq);
    }
  }

  private static int indexOf(List<JsonObject> events, String object, int seq) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).getString("deployment_object_id").equals(object) && events.get(i).getInteger("seq") == seq) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void afterAFailureNothingFurtherStartsAndTheObjectsLaterEventsAreNotSent() throws Exception {
    List<JsonObject> queued = events(20, 3);
    Recorder recorder = new Recorder();
    recorder.failOn = queued.get(2); // object-2's first event
    Exception failure = null;
    try {
      onContext(() -> EventDelivery.deliver(queued, recorder::send));
    } catch (Exception e) {
      failure = e;
    }
    assertTrue(failure != null && String.valueOf(failure.getMessage()).contains("broker unreachable"), String.valueOf(failure));
    assertFalse(recorder.started.stream().anyMatch(e -> e.getString("deployment_object_id").equals("object-2")
        && e.getInteger("seq") > 0), "object-2's later events wait for the next poll");
    assertTrue(recorder.started.size() < queued.size(), "the delivery stopped starting events");
    assertEquals(recorder.started.size() - 1, recorder.completed.size(), "those in flight completed");
  }

  @Test
  void nothingQueuedIsDoneAtOnce() throws Exception {
    Recorder recorder = new Recorder();
    onContext(() -> EventDelivery.deliver(List.of(), recorder::send));
    assertEquals(0, recorder.started.size());
  }
}
