package org.brokkr.agent.live;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.live.MalformedFrameException;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;

/**
 * The agent's uplink frames (heartbeat, deployment event, deployment health) in the shapes of the
 * reference, and the way to send one over the live socket. A send that fails (socket not up,
 * queue full, write failed, no socket at all) means: the caller sends it by REST instead.
 */
public final class Uplink {
  /** The reference sends uplink records with a nil id: the broker assigns the real one. */
  static final String NIL = new UUID(0, 0).toString();
  private static final DeliveryOptions SEND = new DeliveryOptions().setSendTimeout(10_000);

  private Uplink() {}

  /**
   * Succeeds once the frame was written on the socket; fails when it has to go by REST (also when
   * the record does not fit the frame: the REST operation then gives the broker's own answer).
   */
  public static Future<Void> send(Vertx vertx, Supplier<WsFrame> frame) {
    String text;
    try {
      text = frame.get().encode();
    } catch (MalformedFrameException e) {
      return Future.failedFuture(e);
    }
    return vertx.eventBus().request(Addresses.AGENT_LIVE_UPLINK, text, SEND).mapEmpty();
  }

  /** Telemetry: written if the socket can take it, dropped (and counted) otherwise. */
  public static void ship(Vertx vertx, WsFrame frame) {
    vertx.eventBus().send(Addresses.AGENT_LIVE_TELEMETRY, frame.encode());
  }

  public static WsFrame heartbeat(UUID agentId, Long latencyMs) {
    return new WsFrame(WsVariant.HEARTBEAT, new JsonObject()
        .put("agent_id", agentId.toString())
        .put("sent_at", Instant.now().toString())
        .put("k8s_reachable", latencyMs != null)
        .put("k8s_api_latency_ms", latencyMs == null ? null : (int) Math.min(Integer.MAX_VALUE, latencyMs)));
  }

  /** A queued deployment event ({@code agent_id, deployment_object_id, event_type, status, message}). */
  public static WsFrame agentEvent(JsonObject event) {
    String now = Instant.now().toString();
    return new WsFrame(WsVariant.AGENT_EVENT, new JsonObject()
        .put("id", NIL)
        .put("created_at", now)
        .put("updated_at", now)
        .put("agent_id", event.getString("agent_id"))
        .put("deployment_object_id", event.getString("deployment_object_id"))
        .put("event_type", event.getString("event_type"))
        .put("status", event.getString("status"))
        .put("message", event.getString("message")));
  }

  /** One entry of a health report ({@code id, status, summary, checked_at}); on the socket the summary is JSON text. */
  public static WsFrame agentHealth(UUID agentId, JsonObject entry) {
    String now = Instant.now().toString();
    JsonObject summary = entry.getJsonObject("summary");
    return new WsFrame(WsVariant.AGENT_HEALTH, new JsonObject()
        .put("id", NIL)
        .put("agent_id", agentId.toString())
        .put("deployment_object_id", entry.getString("id"))
        .put("status", entry.getString("status"))
        .put("summary", summary == null ? null : summary.encode())
        .put("checked_at", entry.getString("checked_at"))
        .put("created_at", now)
        .put("updated_at", now));
  }
}
