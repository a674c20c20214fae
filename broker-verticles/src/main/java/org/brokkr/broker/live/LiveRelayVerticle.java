package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.brokkr.broker.support.Channels;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Randomness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries live frames between the replicas of one deployment, so a subscriber sees the frames of
 * agents connected to any replica: what this replica publishes is sent every {@link #FLUSH_MS} ms
 * as notifications on the schema's {@code brokkr_live} channel (all of a flush in one statement,
 * so in order), and what other replicas sent is handed to this replica's subscribers. A
 * notification holds at most 8000 bytes: an item is cut into parts of at most {@link #PART_CHARS}
 * characters ({@code origin|item|part|parts|text}), which arrive together and in order since they
 * are sent by one transaction. At most {@link #QUEUE_LIMIT} items wait; more are dropped, as
 * frames of a lagging subscriber are. Frames sent while the listening connection is down are lost
 * for the other replicas' subscribers. One instance per broker.
 */
public final class LiveRelayVerticle extends VerticleBase {
  static final long FLUSH_MS = 10;
  static final int PART_CHARS = 2000;
  static final int QUEUE_LIMIT = 20_000;
  static final int PARTS_PER_STATEMENT = 500;
  private static final Logger LOG = LoggerFactory.getLogger(LiveRelayVerticle.class);
  private static final String NOTIFY = "SELECT pg_notify(c, p) FROM (SELECT brokkr_channel('" + Channels.LIVE
      + "') AS c, t.p, t.i FROM unnest($1::text[]) WITH ORDINALITY AS t(p, i) ORDER BY t.i) q";

  private final Supplier<Pool> pool;
  private final LiveStreams streams;
  private final String origin = Randomness.uuid().toString().substring(0, 13);
  private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  /** Items of other replicas whose parts are still arriving, oldest first. */
  private final Map<String, StringBuilder> partial = new LinkedHashMap<>();
  private long timer = -1;
  private boolean sending;

  /** Other replicas' notifications come through the broker's notification hub, to {@link #received(String)}. */
  public LiveRelayVerticle(Supplier<Pool> pool, LiveStreams streams) {
    this.pool = pool;
    this.streams = streams;
  }

  @Override
  public Future<?> start() {
    streams.relayTo(this::offer);
    timer = vertx.setPeriodic(FLUSH_MS, id -> flush());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    streams.relayTo(item -> { });
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void offer(String item) {
    if (queued.incrementAndGet() > QUEUE_LIMIT) {
      queued.decrementAndGet();
      if (dropped.incrementAndGet() % 1000 == 1) {
        LOG.warn("live relay queue full: frames for other replicas dropped={}", dropped.get());
      }
      return;
    }
    queue.add(item);
  }

  private void flush() {
    if (sending || queued.get() == 0) {
      return;
    }
    List<String> parts = new ArrayList<>();
    String item;
    while (parts.size() < PARTS_PER_STATEMENT && (item = queue.poll()) != null) {
      queued.decrementAndGet();
      cut(item, parts);
    }
    sending = true;
    pool.get().preparedQuery(NOTIFY).execute(Tuple.of(parts.toArray(new String[0]))).onComplete(ar -> {
      sending = false;
      if (ar.failed()) {
        LOG.debug("live relay send failed: {}", FailureLog.oneLine(ar.cause().toString()));
      }
    });
  }

  /** The parts of one item, none longer than {@link #PART_CHARS} characters of text, none splitting a surrogate pair. */
  private void cut(String item, List<String> out) {
    List<String> pieces = new ArrayList<>();
    int at = 0;
    while (at < item.length()) {
      int end = Math.min(item.length(), at + PART_CHARS);
      if (end < item.length() && Character.isHighSurrogate(item.charAt(end - 1))) {
        end--;
      }
      pieces.add(item.substring(at, end));
      at = end;
    }
    long id = sequence.incrementAndGet();
    for (int i = 0; i < pieces.size(); i++) {
      out.add(origin + "|" + id + "|" + i + "|" + pieces.size() + "|" + pieces.get(i));
    }
  }

  /** A notification on the live channel (called on the hub's context, one at a time). */
  public void received(String payload) {
    String[] head = payload.split("\\|", 5);
    if (head.length < 5 || head[0].equals(origin)) {
      return;
    }
    int part;
    int parts;
    try {
      part = Integer.parseInt(head[2]);
      parts = Integer.parseInt(head[3]);
    } catch (NumberFormatException e) {
      return;
    }
    if (parts == 1) {
      streams.relayed(head[4]);
      return;
    }
    String key = head[0] + "|" + head[1];
    StringBuilder sofar = part == 0 ? new StringBuilder() : partial.remove(key);
    if (sofar == null) {
      return;
    }
    sofar.append(head[4]);
    if (part == parts - 1) {
      streams.relayed(sofar.toString());
      return;
    }
    partial.put(key, sofar);
    if (partial.size() > 1000) {
      partial.remove(partial.keySet().iterator().next());
    }
  }
}
