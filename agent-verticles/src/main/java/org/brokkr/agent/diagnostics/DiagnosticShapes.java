package org.brokkr.agent.diagnostics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pure mapping from Kubernetes JSON to the shapes a diagnostic result carries: pod statuses,
 * events (newest first, at most {@link #EVENTS_PER_NAMESPACE} per namespace) and the error form
 * of a result.
 */
public final class DiagnosticShapes {
  public static final int EVENTS_PER_NAMESPACE = 50;
  public static final int LOG_LINES = 100;

  private DiagnosticShapes() {}

  /** {@code {name, namespace, phase, conditions, containers}} of one pod. */
  public static JsonObject podStatus(JsonObject pod) {
    JsonObject meta = pod.getJsonObject("metadata", new JsonObject());
    JsonObject status = pod.getJsonObject("status");
    JsonArray conditions = new JsonArray();
    JsonArray containers = new JsonArray();
    if (status != null) {
      for (JsonObject c : objects(status.getJsonArray("conditions"))) {
        conditions.add(new JsonObject().put("condition_type", c.getString("type")).put("status", c.getString("status"))
            .put("reason", c.getString("reason")).put("message", c.getString("message")));
      }
      for (JsonObject cs : objects(status.getJsonArray("containerStatuses"))) {
        containers.add(container(cs));
      }
    }
    return new JsonObject()
        .put("name", meta.getString("name", ""))
        .put("namespace", meta.getString("namespace", ""))
        .put("phase", status == null ? "Unknown" : status.getString("phase", "Unknown"))
        .put("conditions", conditions)
        .put("containers", containers);
  }

  private static JsonObject container(JsonObject cs) {
    JsonObject state = cs.getJsonObject("state", new JsonObject());
    String name;
    String reason = null;
    String message = null;
    if (state.getJsonObject("running") != null) {
      name = "Running";
      String started = state.getJsonObject("running").getString("startedAt");
      message = started == null ? null : "Started at " + started;
    } else if (state.getJsonObject("waiting") != null) {
      name = "Waiting";
      reason = state.getJsonObject("waiting").getString("reason");
      message = state.getJsonObject("waiting").getString("message");
    } else if (state.getJsonObject("terminated") != null) {
      name = "Terminated";
      reason = state.getJsonObject("terminated").getString("reason");
      message = state.getJsonObject("terminated").getString("message");
    } else {
      name = "Unknown";
    }
    return new JsonObject()
        .put("name", cs.getString("name", ""))
        .put("ready", cs.getBoolean("ready", false))
        .put("restart_count", cs.getInteger("restartCount", 0))
        .put("state", name)
        .put("state_reason", reason)
        .put("state_message", message);
  }

  /**
   * {@code {event_type, reason, message, involved_object, involved_object_kind, first_timestamp,
   * last_timestamp, count}} of one core/v1 Event (the newer {@code eventTime} and {@code series}
   * fill in where the older fields are empty).
   */
  public static JsonObject event(JsonObject event) {
    JsonObject involved = event.getJsonObject("involvedObject", new JsonObject());
    JsonObject series = event.getJsonObject("series", new JsonObject());
    String eventTime = event.getString("eventTime");
    return new JsonObject()
        .put("event_type", event.getString("type"))
        .put("reason", event.getString("reason"))
        .put("message", event.getString("message"))
        .put("involved_object", involved.getString("name", "unknown"))
        .put("involved_object_kind", involved.getString("kind"))
        .put("first_timestamp", firstNonNull(event.getString("firstTimestamp"), eventTime))
        .put("last_timestamp", firstNonNull(event.getString("lastTimestamp"), series.getString("lastObservedTime"), eventTime))
        .put("count", event.getInteger("count", series.getInteger("count")));
  }

  /** The newest {@code limit} of some shaped events, newest first (by {@code last_timestamp}; undated last). */
  public static List<JsonObject> newestFirst(List<JsonObject> shaped, int limit) {
    List<JsonObject> sorted = new ArrayList<>(shaped);
    sorted.sort(Comparator.comparing((JsonObject e) -> instant(e.getString("last_timestamp"))).reversed());
    return sorted.size() > limit ? List.copyOf(sorted.subList(0, limit)) : sorted;
  }

  /**
   * The result submitted when collection failed: the reference's encoding (no pods, one event
   * carrying the error, no logs) plus the error in its own field.
   */
  public static JsonObject failure(String error, Instant collectedAt) {
    return new JsonObject()
        .put("pod_statuses", "[]")
        .put("events", new JsonArray().add(new JsonObject().put("error", error)).encode())
        .putNull("log_tails")
        .put("collected_at", collectedAt.toString())
        .put("error", error);
  }

  private static Instant instant(String timestamp) {
    if (timestamp == null) {
      return Instant.MIN;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MIN;
    }
  }

  private static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        if (o instanceof JsonObject j) {
          out.add(j);
        }
      }
    }
    return out;
  }
}
