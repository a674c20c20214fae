package org.brokkr.broker.live;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import java.util.UUID;
import java.util.function.Function;
import org.brokkr.broker.telemetry.TelemetryIngest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /internal/ws/agent} once the caller is known to be an agent: upgrades the request,
 * registers the socket and hands its text frames to the uplink. Binary frames are ignored; a
 * message larger than the server's WebSocket limits closes the socket (the limits are set on the
 * HTTP server, {@link #MAX_FRAME_BYTES} and {@link #MAX_MESSAGE_BYTES}).
 */
public final class AgentSocketEndpoint {
  public static final String PATH = "/internal/ws/agent";
  public static final int MAX_FRAME_BYTES = 64 * 1024;
  public static final int MAX_MESSAGE_BYTES = 256 * 1024;
  private static final short MESSAGE_TOO_BIG = 1009;
  private static final short INTERNAL_ERROR = 1011;
  private static final Logger LOG = LoggerFactory.getLogger(AgentSocketEndpoint.class);

  private final Vertx vertx;
  private final AgentSockets sockets;
  private final Function<String, String> ownerOf;
  private final TelemetryIngest telemetry;

  /** {@code ownerOf} names the event-bus address that owns an API operation. */
  public AgentSocketEndpoint(Vertx vertx, AgentSockets sockets, Function<String, String> ownerOf, TelemetryIngest telemetry) {
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.sockets = sockets;
    this.ownerOf = ownerOf;
  }

  /** The generation of the auth cache to take before the PAK lookup (see {@link AgentSockets}). */
  public long authGeneration() {
    return sockets.authGeneration();
  }

  /** Upgrades an authenticated agent's request; the caller has checked that it can be upgraded. */
  public void upgrade(HttpServerRequest request, UUID agentId, String pakHash, long authGeneration, String remoteAddress,
      String userAgent) {
    Context context = vertx.getOrCreateContext();
    io.vertx.core.Future<ServerWebSocket> handshake;
    try {
      handshake = request.toWebSocket();
    } catch (RuntimeException e) {
      handshake = io.vertx.core.Future.failedFuture(e);
    }
    handshake.onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("agent socket upgrade failed agent_id={}: {}", agentId, ar.cause().toString());
        return;
      }
      ServerWebSocket socket = ar.result();
      AgentConnection connection = new AgentConnection(agentId, pakHash, socket, context, remoteAddress, userAgent,
          sockets.counters());
      AgentUplink uplink = new AgentUplink(vertx, connection, socket, ownerOf, telemetry);
      socket.textMessageHandler(uplink::received);
      socket.binaryMessageHandler(b -> LOG.debug("agent socket binary frame ignored agent_id={} bytes={}", agentId, b.length()));
      // an oversize message is reported here, not closed by the server: the socket ends with 1009
      socket.exceptionHandler(e -> {
        LOG.debug("agent socket error agent_id={}: {}", agentId, e.toString());
        boolean tooBig = String.valueOf(e.getMessage()).contains("max message size");
        connection.close(tooBig ? MESSAGE_TOO_BIG : INTERNAL_ERROR, tooBig ? "message too big" : "socket error");
      });
      socket.closeHandler(v -> {
        LOG.info("agent socket closed agent_id={} code={}", agentId, socket.closeStatusCode());
        sockets.closed(connection);
      });
      sockets.opened(vertx, connection, authGeneration);
      LOG.info("agent socket opened agent_id={}", agentId);
    });
  }
}
