package org.brokkr.broker.deployments;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.brokkr.codecs.Pak;

/**
 * Target states already computed, per agent and mode, with their entity tag. The database tells
 * every broker after commit what changed (channel {@code brokkr_target_state}: an agent id or
 * {@code *}); entries concerned are dropped at once. A computation that raced with a change is
 * not stored (generation check), entries expire after a short TTL, the cache restarts empty on
 * every re-subscription and is bypassed while nothing listens, so a missed notification cannot
 * serve stale state for long.
 */
public final class TargetStateCache {
  /**
   * A response body, encoded once when computed (every poll it answers writes these same bytes),
   * and its entity tag.
   */
  public record Entry(Buffer body, String etag, long expiresAtNanos) {}

  private record Key(UUID agentId, boolean full) {}

  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final long ttlNanos;
  private final int maxEntries;
  private volatile boolean listening;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final List<Consumer<UUID>> listeners = new CopyOnWriteArrayList<>();

  public TargetStateCache(long ttlMillis, int maxEntries) {
    this.ttlNanos = ttlMillis * 1_000_000L;
    this.maxEntries = maxEntries;
  }

  public Optional<Entry> get(UUID agentId, boolean full) {
    Optional<Entry> found = lookup(agentId, full);
    (found.isPresent() ? hits : misses).increment();
    return found;
  }

  /**
   * As {@link #get}, counting only a hit: for the HTTP front, whose miss is passed on to the
   * operation's verticle, which looks again (and counts the miss).
   */
  public Entry hit(UUID agentId, boolean full) {
    Entry found = lookup(agentId, full).orElse(null);
    if (found != null) {
      hits.increment();
    }
    return found;
  }

  private Optional<Entry> lookup(UUID agentId, boolean full) {
    if (!listening || ttlNanos == 0) {
      return Optional.empty();
    }
    Key key = new Key(agentId, full);
    Entry e = entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (System.nanoTime() - e.expiresAtNanos() > 0) {
      entries.remove(key, e);
      return Optional.empty();
    }
    return Optional.of(e);
  }

  /** Lookups answered from the cache, since start. */
  public long hits() {
    return hits.sum();
  }

  /** Lookups that had to compute the target state (absent, expired, or the cache bypassed), since start. */
  public long misses() {
    return misses.sum();
  }

  /** Read before computing a target state; pass it back to {@link #put}. */
  public long generation() {
    return generation.get();
  }

  /**
   * Target states larger than this are answered but not kept: a few agents with very large states
   * would otherwise pin tens of MiB of heap for the cache's lifetime, and a large state costs its
   * query less than its encoding and transfer anyway.
   */
  public static final int MAX_CACHED_BYTES = 1 << 20;

  /** Stores a computed target state unless something changed since {@code readGeneration}. */
  public Entry put(UUID agentId, boolean full, JsonArray body, long readGeneration) {
    Buffer encoded = body.toBuffer();
    Entry entry = new Entry(encoded, etagOf(encoded), System.nanoTime() + ttlNanos);
    if (!listening || ttlNanos == 0 || encoded.length() > MAX_CACHED_BYTES) {
      return entry;
    }
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    Key key = new Key(agentId, full);
    entries.put(key, entry);
    if (generation.get() != readGeneration) {
      entries.remove(key, entry);
    }
    return entry;
  }

  /**
   * Also tells {@code listener} of every change: the agent whose target state changed, or null for
   * any agent (a change of many, or notifications possibly lost). Called on the listening thread.
   */
  public void onChange(Consumer<UUID> listener) {
    listeners.add(listener);
  }

  private void tell(UUID agent) {
    listeners.forEach(l -> l.accept(agent));
  }

  /** A change notification: an agent id, or {@code *} (or anything unparsable) for all agents. */
  public void changed(String payload) {
    generation.incrementAndGet();
    UUID agent = null;
    try {
      agent = payload == null || payload.isEmpty() || "*".equals(payload) ? null : UUID.fromString(payload);
    } catch (IllegalArgumentException e) {
      agent = null;
    }
    if (agent == null) {
      entries.clear();
    } else {
      entries.remove(new Key(agent, true));
      entries.remove(new Key(agent, false));
    }
    tell(agent);
  }

  /** The listening connection is up (after every (re)subscribe) or down. */
  public void listening(boolean up) {
    generation.incrementAndGet();
    entries.clear();
    listening = up;
    tell(null);
  }

  /** The first 128 bits of the body's SHA-256, in hex, quoted. */
  static String etagOf(Buffer encoded) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(encoded.getBytes());
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  public int size() {
    return entries.size();
  }
}
