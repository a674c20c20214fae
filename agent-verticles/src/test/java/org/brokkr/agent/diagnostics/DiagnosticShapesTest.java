package org.brokkr.agent.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shapes of a diagnostic result, as the broker stores them and the console shows them. */
class DiagnosticShapesTest {

  @Test
  void aPodStatusCarriesPhaseConditionsAndEachContainersState() {
    JsonObject pod = new JsonObject()
        .put("metadata", new JsonObject().put("name", "web-1").put("namespace", "apps"))
        .put("status", new JsonObject().put("phase", "Running")
            .put("conditions", new JsonArray().add(new JsonObject().put("type", "Ready").put("status", "False")
                .put("reason", "ContainersNotReady").put("message", "containers with unready status: [b]")))
            .put("containerStatuses", new JsonArray()
                .add(new JsonObject().put("name", "a").put("ready", true).put("restartCount", 0)
                    .put("state", new JsonObject().put("running", new JsonObject().put("startedAt", "2026-01-01T00:00:00Z"))))
                .add(new JsonObject().put("name", "b").put("ready", false).put("restartCount", 7)
                    .put("state", new JsonObject().put("waiting", new JsonObject().put("reason", "CrashLoopBackOff")
                        .put("message", "back-off 5m0s"))))
                .add(new JsonObject().put("name", "c").put("ready", false).put("restartCount", 1)
                    .put("state", new JsonObject().put("terminated", new JsonObject().put("reason", "OOMKilled"))))
                .add(new JsonObject().put("name", "d"))));
    JsonObject shaped = DiagnosticShapes.podStatus(pod);
    assertEquals("web-1", shaped.getString("name"));
    assertEquals("apps", shaped.getString("namespace"));
    assertEquals("Running", shaped.getString("phase"));
    assertEquals(new JsonObject().put("condition_type", "Ready").put("status", "False").put("reason", "ContainersNotReady")
        .put("message", "containers with unready status: [b]"), shaped.getJsonArray("conditions").getJsonObject(0));
    JsonArray containers = shaped.getJsonArray("containers");
    assertEquals(new JsonObject().put("name", "a").put("ready", true).put("restart_count", 0).put("state", "Running")
        .putNull("state_reason").put("state_message", "Started at 2026-01-01T00:00:00Z"), containers.getJsonObject(0));
    assertEquals(new JsonObject().put("name", "b").put("ready", false).put("restart_count", 7).put("state", "Waiting")
        .put("state_reason", "CrashLoopBackOff").put("state_message", "back-off 5m0s"), containers.getJsonObject(1));
    assertEquals("Terminated", containers.getJsonObject(2).getString("state"));
    assertEquals("OOMKilled", containers.getJsonObject(2).getString("state_reason"));
    assertEquals("Unknown", containers.getJsonObject(3).getString("state"));
    assertEquals(0, containers.getJsonObject(3).getInteger("restart_count"));
  }

  @Test
  void aPodWithoutStatusIsInPhaseUnknown() {
    JsonObject shaped = DiagnosticShapes.podStatus(new JsonObject().put("metadata", new JsonObject().put("name", "p")));
    assertEquals("Unknown", shaped.getString("phase"));
    assertEquals(new JsonArray(), shaped.getJsonArray("containers"));
  }

  @Test
  void anEventNamesItsObjectAndItsTimes() {
    JsonObject event = new JsonObject().put("type", "Warning").put("reason", "BackOff").put("message", "Back-off restarting")
        .put("involvedObject", new JsonObject().put("kind", "Pod").put("name", "web-1").put("namespace", "apps"))
        .put("firstTimestamp", "2026-01-01T00:00:00Z").put("lastTimestamp", "2026-01-01T00:05:00Z").put("count", 12);
    assertEquals(new JsonObject().put("event_type", "Warning").put("reason", "BackOff").put("message", "Back-off restarting")
        .put("involved_object", "web-1").put("involved_object_kind", "Pod").put("first_timestamp", "2026-01-01T00:00:00Z")
        .put("last_timestamp", "2026-01-01T00:05:00Z").put("count", 12), DiagnosticShapes.event(event));
  }

  @Test
  void aNewStyleEventFillsItsTimesFromEventTimeAndSeries() {
    JsonObject event = new JsonObject().put("type", "Normal").put("reason", "Pulled")
        .put("involvedObject", new JsonObject().put("kind", "Pod").put("name", "p"))
        .put("eventTime", "2026-01-01T00:00:00.000000Z")
        .put("series", new JsonObject().put("count", 3).put("lastObservedTime", "2026-01-01T00:09:00.000000Z"));
    JsonObject shaped = DiagnosticShapes.event(event);
    assertEquals("2026-01-01T00:00:00.000000Z", shaped.getString("first_timestamp"));
    assertEquals("2026-01-01T00:09:00.000000Z", shaped.getString("last_timestamp"));
    assertEquals(3, shaped.getInteger("count"));
    assertNull(DiagnosticShapes.event(new JsonObject()).getString("last_timestamp"));
    assertEquals("unknown", DiagnosticShapes.event(new JsonObject()).getString("involved_object"));
  }

  @Test
  void eventsAreNewestFirstAndCapped() {
    List<JsonObject> events = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      events.add(new JsonObject().put("reason", "r" + i).put("last_timestamp", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(i).toString()));
    }
    events.add(new JsonObject().put("reason", "undated"));
    List<JsonObject> kept = DiagnosticShapes.newestFirst(events, DiagnosticShapes.EVENTS_PER_NAMESPACE);
    assertEquals(50, kept.size());
    assertEquals("r59", kept.get(0).getString("reason"));
    assertEquals("r10", kept.get(49).getString("reason"));
    assertEquals("undated", DiagnosticShapes.newestFirst(events, 100).get(60).getString("reason"), "undated events come last");
  }

  @Test
  void aFailedCollectionKeepsTheReferenceEncodingAndAddsTheError() {
    JsonObject failure = DiagnosticShapes.failure("pods cannot be listed", Instant.parse("2026-01-01T00:00:00Z"));
    assertEquals("[]", failure.getString("pod_statuses"));
    assertEquals(new JsonArray().add(new JsonObject().put("error", "pods cannot be listed")), new JsonArray(failure.getString("events")));
    assertNull(failure.getValue("log_tails"));
    assertEquals(true, failure.containsKey("log_tails"));
    assertEquals("2026-01-01T00:00:00Z", failure.getString("collected_at"));
    assertEquals("pods cannot be listed", failure.getString("error"));
  }
}
