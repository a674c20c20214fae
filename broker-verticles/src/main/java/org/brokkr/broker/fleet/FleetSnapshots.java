package org.brokkr.broker.fleet;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.function.Supplier;

/**
 * The whole-fleet view, computed at most once per {@code maxAgeMillis} and shared by every
 * instance of the fleet verticle: a copy older than that is still answered while one fresh copy
 * is computed in the background, so a dashboard polling the fleet never waits for the grouped
 * statement (hundreds of milliseconds at thousands of agents). A copy older than
 * {@link #STALE_LIMIT_MILLIS} is never answered. {@code maxAgeMillis = 0} computes every time.
 */
public final class FleetSnapshots {
  /** Beyond this age a copy is not worth answering with; the caller waits for a fresh one. */
  static final long STALE_LIMIT_MILLIS = 30_000;

  private record Snapshot(Buffer body, long atNanos) {}

  private final long maxAgeNanos;
  private Snapshot last;
  private Future<Snapshot> inflight;

  public FleetSnapshots(long maxAgeMillis) {
    this.maxAgeNanos = maxAgeMillis * 1_000_000L;
  }

  /** The encoded view: the current copy, or the one {@code compute} makes when there is none fit to answer. */
  public Future<Buffer> get(Supplier<Future<Buffer>> compute) {
    if (maxAgeNanos == 0) {
      return compute.get();
    }
    Snapshot s;
    synchronized (this) {
      s = last;
    }
    long now = System.nanoTime();
    if (s != null && now - s.atNanos() < maxAgeNanos) {
      return Future.succeededFuture(s.body());
    }
    Future<Snapshot> refresh = refresh(compute);
    if (s != null && now - s.atNanos() < STALE_LIMIT_MILLIS * 1_000_000L) {
      return Future.succeededFuture(s.body());
    }
    return refresh.map(Snapshot::body);
  }

  /** One computation at a time, whatever the number of callers; its result becomes the current copy. */
  private synchronized Future<Snapshot> refresh(Supplier<Future<Buffer>> compute) {
    if (inflight != null) {
      return inflight;
    }
    long started = System.nanoTime();
    Future<Snapshot> f = compute.get().map(body -> new Snapshot(body, started));
    inflight = f;
    f.onComplete(ar -> settle(ar.succeeded() ? ar.result() : null));
    return f;
  }

  private synchronized void settle(Snapshot fresh) {
    if (fresh != null) {
      last = fresh;
    }
    inflight = null;
  }
}
