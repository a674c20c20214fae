package org.brokkr.broker.live;

import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.broker.live.OutboundLanes.Lane;
import org.brokkr.codecs.Randomness;

/**
 * One agent's open live-channel socket on this replica, and the PAK (hash) it was opened with.
 * Frames to the agent go through its {@link OutboundLanes}: {@link #push} only queues (from any
 * thread) and the socket's own event loop writes, control first, while the socket's write queue
 * has room. A slow agent therefore fills its lanes, and further frames are dropped and counted:
 * they are hints, and the agent's next poll catches up.
 */
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
  private final OutboundLanes lanes = new OutboundLanes();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final PushCounters counters;

  AgentConnection(UUID agentId, String pakHash, ServerWebSocket socket, Context context, String remoteAddress,
      String userAgent, PushCounters counters) {
    this.agentId = agentId;
    this.pakHash = pakHash;
    this.socket = socket;
    this.context = context;
    this.remoteAddress = remoteAddress;
    this.userAgent = userAgent;
    this.counters = counters;
  }

  /** Queues a text frame on its lane, never waiting; false (and counted as dropped) when the lane is full or the socket closed. */
  boolean push(Lane lane, String frame) {
    if (socket.isClosed() || !lanes.offer(lane, frame)) {
      counters.dropped(lane);
      return false;
    }
    counters.queued(lane);
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
    return true;
  }

  /** On the socket's event loop: writes queued frames while the write queue has room, then waits for it to drain. */
  private void drain() {
    drainScheduled.set(false);
    while (!socket.isClosed()) {
      if (socket.writeQueueFull()) {
        socket.drainHandler(v -> drain());
        return;
      }
      String frame = lanes.poll();
      if (frame == null) {
        return;
      }
      socket.writeTextMessage(frame);
      messagesOut.incrementAndGet();
    }
    lanes.clear();
  }

  /** The socket's event loop. */
  Context context() {
    return context;
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
