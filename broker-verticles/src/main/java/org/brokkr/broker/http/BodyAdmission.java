package org.brokkr.broker.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
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
 * so the largest allowed body can always be sent. Shared by every HTTP instance of one broker.
 */
public final class BodyAdmission {
  public static final long LARGE_BYTES = 256 * 1024;
  public static final String SERVER_BUSY = "server_busy";

  private final long budgetBytes;
  private final long maxBodyBytes;
  private final AtomicLong inFlight = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  public BodyAdmission(long budgetBytes, long maxBodyBytes) {
    this.budgetBytes = budgetBytes;
    this.maxBodyBytes = maxBodyBytes;
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
    long after = inFlight.addAndGet(size);
    if (after > budgetBytes && after != size) {
      inFlight.addAndGet(-size);
      refused.increment();
      // the body is read and thrown away, not held, so the client sees the answer rather than a reset
      // connection while it is still sending
      ctx.request().handler(chunk -> { }).endHandler(v -> ApiDispatcher.writeError(ctx, new ApiError(Failure.UNAVAILABLE,
          SERVER_BUSY, "too many large request bodies are being handled; retry shortly")));
      ctx.request().resume();
      return;
    }
    // called once the response is done or the connection is gone, whichever comes first
    ctx.addEndHandler(v -> inFlight.addAndGet(-size));
    ctx.next();
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
