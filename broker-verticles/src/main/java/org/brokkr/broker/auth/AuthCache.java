package org.brokkr.broker.auth;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.codecs.Identity;

/**
 * PAK hash -> identity, shared by every HTTP verticle of one broker. Entries live for the
 * configured TTL; an invalidation (rotation or deletion, seen locally or through NOTIFY from
 * another replica) drops them at once. A lookup that started before an invalidation never
 * re-inserts a stale identity: puts carry the generation they were read under.
 */
public final class AuthCache {
  private record Entry(Identity identity, long expiresAtNanos) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final CopyOnWriteArrayList<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();
  private final long ttlNanos;
  private final int maxEntries;

  public AuthCache(int ttlSeconds, int maxEntries) {
    this.ttlNanos = ttlSeconds * 1_000_000_000L;
    this.maxEntries = maxEntries;
  }

  public Optional<Identity> get(String hash) {
    if (ttlNanos == 0) {
      return Optional.empty();
    }
    Entry e = entries.get(hash);
    if (e == null) {
      return Optional.empty();
    }
    if (System.nanoTime() - e.expiresAtNanos() > 0) {
      entries.remove(hash, e);
      return Optional.empty();
    }
    return Optional.of(e.identity());
  }

  public long generation() {
    return generation.get();
  }

  /** Caches a lookup made under {@code readGeneration}, unless something was invalidated since. */
  public void put(String hash, Identity identity, long readGeneration) {
    if (ttlNanos == 0) {
      return;
    }
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    entries.put(hash, new Entry(identity, System.nanoTime() + ttlNanos));
    if (generation.get() != readGeneration) {
      entries.remove(hash);
    }
  }

  public void invalidate(String hash) {
    if (hash == null || hash.isEmpty()) {
      return;
    }
    generation.incrementAndGet();
    if ("*".equals(hash)) {
      entries.clear();
    } else {
      entries.remove(hash);
    }
    revocationListeners.forEach(listener -> listener.accept(hash));
  }

  /**
   * Also tells {@code listener} of every invalidation (a revoked hash, or {@code *} when
   * notifications may have been lost): holders of long-lived sessions end those of a revoked PAK.
   * Listeners run on the invalidating thread and must not block.
   */
  public void onRevocation(Consumer<String> listener) {
    revocationListeners.add(listener);
  }

  public int size() {
    return entries.size();
  }
}
