package org.brokkr.broker.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;

/**
 * Bounds how many large request bodies the broker holds at once. A deployment object of a few MiB
 * is held several times over while it is handled (the body, its decoded text, the parsed YAML, the
 * row sent to PostgreSQL), so a burst of them can exhaust a small heap. Bodies of at least
 * {@link #LARGE_BYTES} (by their Content-Length; a body without one counts as the largest allowed)
 * share a budget of bytes; one that does not fit is answered 503 {@code server_busy} with
 * Retry-After, its body discarded as it arrives. A large body arriving while no other is in flight is always taken,
 * so the largest allowed body can always be sent. A share is held until the request is answered
 * and its handler is done with the body, whichever is later, so a client that hangs up does not
 * free memory that a worker still uses. Shared by every HTTP instance of one broker.
 *
 * <p>After a burst the heap the bodies needed stays committed until the next full collection,
 * which a quiet broker may not have for hours. {@link #compactIfIdle} asks for one, on a worker,
 * once large bodies of at least a quarter of the heap have come and gone and none arrived for
 * {@link #IDLE_NANOS}, so the broker's memory returns to where it was.
 */
public final class BodyAdmission {
  public static final long LARGE_BYTES = 256 * 1024;
  public static final String SERVER_BUSY = "server_busy";
  /** Where {@link #handle} leaves the request's {@link Share} for the handler that reads the body. */
  private static final String SHARE = "brokkr.bodyShare";
  /** How long no large body may have been in flight before the heap is compacted. */
  public static final long IDLE_NANOS = 10_000_000_000L;

  private final long budgetBytes;
  private final long maxBodyBytes;
  private final AtomicLong inFlight = new AtomicLong();
  private final LongAdder refused = new LongAdder();
  private final long compactAfterBytes;
  /** Large bytes released since the last compaction, and when the last share was released. */
  private final AtomicLong sinceCompaction = new AtomicLong();
  private volatile long lastReleased;
  private final LongAdder compactions = new LongAdder();

  public BodyAdmission(long budgetBytes, long maxBodyBytes) {
    this(budgetBytes, maxBodyBytes, Runtime.getRuntime().maxMemory() / 4);
  }

  BodyAdmission(long budgetBytes, long maxBodyBytes, long compactAfterBytes) {
    this.budgetBytes = budgetBytes;
    this.maxBodyBytes = maxBodyBytes;
    this.compactAfterBytes = compactAfterBytes;
  }

  /** A twentieth of the heap: with the manifest's 160 MiB heap, one 5 MiB object at a time beside the small requests. */
  public static long defaultBudget() {
    return Runtime.getRuntime().maxMemory() / 20;
  }

  public long refused() {
    return refused.sum();
  }

  public long inFlightBytes() {
    return inFlight.get();
  }

  public long compactions() {
    return compactions.sum();
  }

  /**
   * Whether the heap should be compacted now, given the monotonic time: true at most once per
   * burst, when enough large bytes were released and none is in flight or was for {@link #IDLE_NANOS}.
   */
  public boolean compactIfIdle(long nowNanos) {
    long released = sinceCompaction.get();
    if (released < compactAfterBytes || inFlight.get() != 0 || nowNanos - lastReleased < IDLE_NANOS) {
      return false;
    }
    if (!sinceCompaction.compareAndSet(released, 0)) {
      return false;
    }
    compactions.increment();
    return true;
  }

  /** Bytes of large bodies released since the last compaction. */
  public long releasedSinceCompaction() {
    return sinceCompaction.get();
  }

  /**
   * One admitted body's share of the budget. The request holds it until it is answered or its
   * connection is gone; a handler that reads the body {@link #hold}s it too and {@link #done}s it.
   */
  public final class Share {
    private final long bytes;
    private final AtomicInteger holders = new AtomicInteger(1);

    private Share(long bytes) {
      this.bytes = bytes;
    }

    public void hold() {
      holders.incrementAndGet();
    }

    public void done() {
      if (holders.decrementAndGet() == 0) {
        inFlight.addAndGet(-bytes);
        sinceCompaction.addAndGet(bytes);
        lastReleased = System.nanoTime();
      }
    }
  }

  /** The request's share, if its body was large: a handler that goes on with the body holds it. */
  public static Share share(RoutingContext ctx) {
    return ctx.get(SHARE);
  }

  public void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS || method == HttpMethod.DELETE) {
      ctx.next();
      return;
    }
    long size = declaredSize(ctx.request().getHeader("Content-Length"));
    if (size < LARGE_BYTES) {
      ctx.next();
      return;
    }
    Share share = admit(size);
    if (share == null) {
      // the body is read and thrown away, not held, so the client sees the answer rather than a reset
      // connection while it is still sending
      ctx.request().handler(chunk -> { }).endHandler(v -> ApiDispatcher.writeError(ctx, new ApiError(Failure.UNAVAILABLE,
          SERVER_BUSY, "too many large request bodies are being handled; retry shortly")));
      ctx.request().resume();
      return;
    }
    ctx.put(SHARE, share);
    // called once the response is done or the connection is gone, whichever comes first
    ctx.addEndHandler(v -> share.done());
    ctx.next();
  }

  /** A share of {@code size} bytes, or null (counted as refused) when the budget has no room for it. */
  Share admit(long size) {
    long after = inFlight.addAndGet(size);
    if (after > budgetBytes && after != size) {
      inFlight.addAndGet(-size);
      refused.increment();
      return null;
    }
    return new Share(size);
  }

  private long declaredSize(String contentLength) {
    if (contentLength == null) {
      return maxBodyBytes;
    }
    try {
      return Math.min(Long.parseLong(contentLength.trim()), maxBodyBytes);
    } catch (NumberFormatException e) {
      // the server itself refuses an unreadable length; nothing to hold here
      return 0;
    }
  }
}
