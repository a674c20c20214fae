package org.brokkr.agent.telemetry;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.codecs.OwnershipAnnotations;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;

/** The telemetry frames of the live socket, built from what the API server gives (reference shapes). */
final class TelemetryFrames {
  static final String STREAM_LOGS = "brokkr.io/stream-logs";

  private TelemetryFrames() {}

  /** {@code k8s_event} for a core/v1 Event of an object of stack {@code stackId}. */
  static WsFrame k8sEvent(String agentId, String stackId, JsonObject event) {
    JsonObject involved = event.getJsonObject("involvedObject", new JsonObject());
    JsonObject source = event.getJsonObject("source");
    String observed = firstNonNull(event.getString("eventTime"), event.getString("lastTimestamp"), Instant.now().toString());
    return new WsFrame(WsVariant.K8S_EVENT, new JsonObject()
        .put("agent_id", agentId)
        .put("stack_id", stackId)
        .put("observed_at", observed)
        .put("reason", event.getString("reason", ""))
        .put("message", event.getString("message", ""))
        .put("event_type", event.getString("type", "Normal"))
        .put("source", source == null ? null : source.getString("component"))
        .put("involved_object", new JsonObject()
            .put("api_version", involved.getString("apiVersion", ""))
            .put("kind", involved.getString("kind", ""))
            .put("namespace", involved.getString("namespace"))
            .put("name", involved.getString("name", ""))
            .put("uid", involved.getString("uid"))));
  }

  static WsFrame podLogLine(String agentId, String stackId, String namespace, String pod, String container, String line) {
    return new WsFrame(WsVariant.POD_LOG_LINE, new JsonObject()
        .put("agent_id", agentId).put("stack_id", stackId).put("namespace", namespace).put("pod", pod)
        .put("container", container).put("ts", Instant.now().toString()).put("line", line));
  }

  /** The first line dropped in a window by the per-container limit. */
  static WsFrame rateLimitGap(String agentId, String stackId, Instant since) {
    return new WsFrame(WsVariant.LOG_GAP, new JsonObject()
        .put("agent_id", agentId).put("stack_id", stackId).put("since_ts", since.toString())
        .put("dropped_count", 1).put("reason", "rate_limit"));
  }

  /** The stack of an object (its JSON) if this agent owns it and it names one. */
  static Optional<String> ownedStack(JsonObject object, String agentId) {
    JsonObject annotations = object.getJsonObject("metadata", new JsonObject()).getJsonObject("annotations", new JsonObject());
    if (!agentId.equals(annotations.getString(OwnershipAnnotations.OWNER_ID))) {
      return Optional.empty();
    }
    return stackOf(annotations);
  }

  /** The stack of a Pod that asks for its logs to be shipped (both annotations on the Pod itself). */
  static Optional<String> logStack(JsonObject pod) {
    JsonObject annotations = pod.getJsonObject("metadata", new JsonObject()).getJsonObject("annotations", new JsonObject());
    if (!"true".equals(annotations.getString(STREAM_LOGS))) {
      return Optional.empty();
    }
    return stackOf(annotations);
  }

  private static Optional<String> stackOf(JsonObject annotations) {
    String stack = annotations.getString(OwnershipAnnotations.STACK);
    try {
      return stack == null ? Optional.empty() : Optional.of(UUID.fromString(stack).toString());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
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
}
