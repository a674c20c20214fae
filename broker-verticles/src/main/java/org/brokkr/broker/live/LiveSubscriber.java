package org.brokkr.broker.live;

import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;

/**
 * One read-only subscriber socket and its outgoing buffer of at most {@link #BUFFER} frames.
 * Frames are offered from any thread and never wait: they are written on the socket's own event
 * loop only while its write queue has room (so a subscriber that does not read holds at most the
 * buffer and the socket's write queue); beyond that they are dropped and counted. A stack
 * subscriber is then told how many it missed by a {@code log_gap} frame (nil agent id,
 * {@code buffer_full}) before the next frame it receives; a fleet subscriber silently skips.
 */
final class LiveSubscriber {
  static final int BUFFER = 1024;
  private static final String NIL = new UUID(0, 0).toString();

  private final ServerWebSocket socket;
  private final Context context;
  /** The stack this subscriber follows; null for the fleet. */
  final UUID stackId;
  private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  final AtomicLong sent = new AtomicLong();

  LiveSubscriber(ServerWebSocket socket, Context context, UUID stackId) {
    this.socket = socket;
    this.context = context;
    this.stackId = stackId;
  }

  void offer(String frame) {
    if (queued.incrementAndGet() > BUFFER) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    queue.add(frame);
    schedule();
  }

  /** Frames dropped and not yet reported. */
  long pendingGap() {
    return dropped.get();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    scheduled.set(false);
    if (socket.isClosed()) {
      return;
    }
    while (!socket.writeQueueFull()) {
      long missed = dropped.getAndSet(0);
      if (missed > 0 && stackId != null) {
        write(gap(missed));
        continue;
      }
      String next = queue.poll();
      if (next == null) {
        return;
      }
      queued.decrementAndGet();
      write(next);
    }
    socket.drainHandler(v -> schedule());
  }

  private void write(String frame) {
    sent.incrementAndGet();
    socket.writeTextMessage(frame);
  }

  private String gap(long missed) {
    return new WsFrame(WsVariant.LOG_GAP, new JsonObject()
        .put("agent_id", NIL)
        .put("stack_id", stackId.toString())
        .put("since_ts", Instant.now().truncatedTo(ChronoUnit.MICROS).toString())
        .put("dropped_count", missed)
        .put("reason", "buffer_full")).encode();
  }
}
