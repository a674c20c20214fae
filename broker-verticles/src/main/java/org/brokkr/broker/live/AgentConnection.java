package org.brokkr.broker.live;

import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.codecs.Randomness;

/** One agent's open live-channel socket on this replica, and the PAK (hash) it was opened with. */
final class AgentConnection {
  final UUID agentId;
  final String pakHash;
  final UUID connectionId = Randomness.uuid();
  final OffsetDateTime connectedSince = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
  final AtomicLong messagesIn = new AtomicLong();
  final AtomicLong messagesOut = new AtomicLong();
  final String remoteAddress;
  final String userAgent;
  private final ServerWebSocket socket;
  private final Context context;

  AgentConnection(UUID agentId, String pakHash, ServerWebSocket socket, Context context, String remoteAddress,
      String userAgent) {
    this.agentId = agentId;
    this.pakHash = pakHash;
    this.socket = socket;
    this.context = context;
    this.remoteAddress = remoteAddress;
    this.userAgent = userAgent;
  }

  /** Closes the socket from any thread: the close runs on the socket's own event loop. */
  void close(short code, String reason) {
    context.runOnContext(v -> {
      if (!socket.isClosed()) {
        socket.close(code, reason);
      }
    });
  }
}
