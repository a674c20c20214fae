package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.live.MalformedFrameException;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;
import org.brokkr.broker.telemetry.TelemetryIngest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent sends on its socket, served by the same operations as its REST twins, with the
 * socket's agent as the caller: a heartbeat is {@code record_heartbeat}, an event
 * {@code create_event}, a health record {@code update_health_status}; their checks, storage,
 * audit entries and events are those of the REST call. Telemetry frames ({@code k8s_event},
 * {@code pod_log_line}, {@code log_gap}) go to {@link TelemetryIngest}. A frame about another
 * agent is refused; a malformed or unknown one is ignored; both are counted, and the socket stays.
 * At most {@link #MAX_IN_FLIGHT} frames are served at once: beyond that the socket stops reading
 * until one is done.
 */
final class AgentUplink {
  static final int MAX_IN_FLIGHT = 16;
  private static final Logger LOG = LoggerFactory.getLogger(AgentUplink.class);
  private static final DeliveryOptions SEND = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final AgentConnection connection;
  private final ServerWebSocket socket;
  private final Function<String, String> ownerOf;
  private final Identity caller;
  private final TelemetryIngest telemetry;
  private final TelemetryIngest.Socket telemetrySocket;
  private int inFlight;

  AgentUplink(Vertx vertx, AgentConnection connection, ServerWebSocket socket, Function<String, String> ownerOf,
      TelemetryIngest telemetry) {
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.telemetrySocket = telemetry.socket(connection.agentId);
    this.connection = connection;
    this.socket = socket;
    this.ownerOf = ownerOf;
    this.caller = Identity.agent(connection.agentId);
  }

  void received(String text) {
    WsFrame frame;
    try {
      frame = WsFrame.parse(text);
    } catch (MalformedFrameException e) {
      telemetry.counters().countMalformed();
      LOG.debug("agent socket frame ignored agent_id={}: {}", connection.agentId, e.getMessage());
      return;
    }
    connection.messagesIn.incrementAndGet();
    if (frame.variant().direction() != WsVariant.Direction.UP) {
      LOG.debug("agent socket frame ignored agent_id={} type={}: not an agent's frame", connection.agentId, frame.variant().wire());
      return;
    }
    if (!connection.agentId.toString().equals(frame.agentId())) {
      telemetry.counters().countWrongAgent();
      LOG.warn("agent socket frame refused agent_id={} type={} body_agent_id={}: an agent speaks only for itself",
          connection.agentId, frame.variant().wire(), frame.agentId());
      return;
    }
    switch (frame.variant()) {
      case HEARTBEAT -> serve("record_heartbeat", new JsonObject()
          .put("k8s_reachable", frame.body().getValue("k8s_reachable"))
          .put("k8s_api_latency_ms", frame.body().getValue("k8s_api_latency_ms")));
      case AGENT_EVENT -> serve("create_event", new JsonObject()
          .put("agent_id", frame.agentId())
          .put("deployment_object_id", frame.body().getString("deployment_object_id"))
          .put("event_type", frame.body().getString("event_type"))
          .put("status", frame.body().getString("status"))
          .put("message", frame.body().getString("message")));
      case AGENT_HEALTH -> serve("update_health_status", new JsonObject().put("deployment_objects", new JsonArray()
          .add(new JsonObject()
              .put("id", frame.body().getString("deployment_object_id"))
              .put("status", frame.body().getString("status"))
              .put("summary", summary(frame.body().getString("summary")))
              .put("checked_at", frame.body().getString("checked_at")))));
      case K8S_EVENT, POD_LOG_LINE, LOG_GAP -> telemetry(frame);
      default -> LOG.debug("agent socket frame ignored agent_id={} type={}: not served in this version",
          connection.agentId, frame.variant().wire());
    }
  }

  /** On the socket the summary is JSON text; the REST operation takes the object it encodes. */
  private static Object summary(String text) {
    if (text == null) {
      return null;
    }
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return text;
    }
  }

  private void telemetry(WsFrame frame) {
    Future<Void> done = telemetrySocket.received(frame);
    if (!done.isComplete()) {
      hold();
      done.onComplete(ar -> release());
    }
  }

  private void hold() {
    if (++inFlight >= MAX_IN_FLIGHT) {
      socket.pause();
    }
  }

  private void release() {
    if (inFlight-- == MAX_IN_FLIGHT) {
      socket.resume();
    }
  }

  private void serve(String operation, JsonObject body) {
    String address = ownerOf.apply(operation);
    ApiRequest request = new ApiRequest(operation, caller, Map.of("id", connection.agentId.toString()), Map.of(),
        body.toBuffer(), ApiResponse.JSON, ApiResponse.JSON, connection.remoteAddress, connection.userAgent, null);
    hold();
    vertx.eventBus().<ApiResponse>request(address, request, SEND).onComplete(ar -> {
      release();
      if (ar.failed()) {
        ApiError error = ar.cause() instanceof ReplyException re && re.failureCode() > 0
            ? ApiError.fromJson(Failure.fromNumber(re.failureCode()), re.getMessage())
            : new ApiError(Failure.UNAVAILABLE, "service_unavailable", String.valueOf(ar.cause().getMessage()));
        LOG.warn("agent socket frame refused agent_id={} operation={} status={} code={}", connection.agentId, operation,
            error.failure().httpStatus(), error.code());
      }
    });
  }

}
