package org.brokkr.broker.http;

import io.vertx.core.Handler;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;
import org.brokkr.broker.auth.PakAuthProvider;
import org.brokkr.broker.ops.HttpMetrics;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every request: gives it a request id ({@code X-Request-Id}: the caller's
 * when it is sane, else a new one; echoed in the response), and when the response has ended,
 * records it in {@link HttpMetrics} and writes one log line at info: method, endpoint (the route
 * template, never the raw path or query, so no PAK or id in it), status, duration, bytes, the
 * caller's identity type and id (never its PAK), and the request id. {@code /metrics} itself is
 * neither measured nor logged, as in the reference.
 */
final class RequestLog implements Handler<RoutingContext> {
  /** The caller's identity, for a request authenticated outside the contract's security handlers. */
  static final String IDENTITY = "brokkr.identity";
  static final String REQUEST_ID = "X-Request-Id";
  private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
  private static final String ENDPOINT = "brokkr.endpoint";
  private static final int MAX_REQUEST_ID = 128;
  private static final String METRICS_PATH = "/metrics";

  private final HttpMetrics metrics;
  private final Pak.Format pakFormat;
  private final boolean json;

  RequestLog(HttpMetrics metrics, Pak.Format pakFormat, String logFormat) {
    this.metrics = metrics;
    this.pakFormat = pakFormat;
    this.json = "json".equals(logFormat);
  }

  /** Names the operation a request reached (its route template), for the metrics and the log line. */
  static void endpoint(RoutingContext ctx, String label) {
    ctx.put(ENDPOINT, label);
  }

  /** The endpoint a request reached: its operation's route template, a fixed path, or {@code unmatched}. */
  static String endpointOf(RoutingContext ctx) {
    String endpoint = ctx.get(ENDPOINT);
    return endpoint != null ? endpoint : unroutedEndpoint(ctx.request().path());
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.request().path();
    if (METRICS_PATH.equals(path)) {
      ctx.next();
      return;
    }
    long start = System.nanoTime();
    String requestId = requestId(ctx.request().getHeader(REQUEST_ID));
    ctx.response().putHeader(REQUEST_ID, requestId);
    ctx.addEndHandler(ar -> ended(ctx, start, requestId));
    ctx.next();
  }

  private void ended(RoutingContext ctx, long start, String requestId) {
    long nanos = System.nanoTime() - start;
    String endpoint = endpointOf(ctx);
    String method = ctx.request().method().name();
    int status = ctx.response().getStatusCode();
    metrics.record(endpoint, method, status, nanos);
    if (LOG.isInfoEnabled()) {
      log(ctx, endpoint, method, status, nanos, requestId);
    }
  }

  private void log(RoutingContext ctx, String endpoint, String method, int status, long nanos, String requestId) {
    Identity caller = ctx.get(IDENTITY);
    if (caller == null) {
      caller = caller(ctx.user());
    }
    String callerType = caller == null ? "anonymous" : caller.kind().wire();
    String callerId = caller == null || caller.id() == null ? null : caller.id().toString();
    long bytes = ctx.response().bytesWritten();
    double millis = nanos / 1_000_000.0;
    if (json) {
      LOG.atInfo().setMessage("request")
          .addKeyValue("method", method).addKeyValue("path", endpoint).addKeyValue("status", status)
          .addKeyValue("duration_ms", Math.round(millis * 1000) / 1000.0).addKeyValue("bytes", bytes)
          .addKeyValue("caller_type", callerType).addKeyValue("caller_id", callerId)
          .addKeyValue("request_id", requestId)
          .log();
    } else {
      LOG.info("request method={} path={} status={} duration_ms={} bytes={} caller_type={} caller_id={} request_id={}",
          method, endpoint, status, String.format(java.util.Locale.ROOT, "%.3f", millis), bytes, callerType,
          callerId == null ? "-" : callerId, requestId);
    }
  }

  /** The non-API routes by their fixed paths; anything else that reached no operation is one series. */
  private static String unroutedEndpoint(String path) {
    switch (path) {
      case "/healthz", "/readyz", "/docs/openapi.yaml", "/docs/openapi.json":
        return path;
      default:
        return path.equals(ApiDocsPage.PATH) || path.startsWith(ApiDocsPage.PATH + "/") ? ApiDocsPage.PATH : EndpointLabels.UNMATCHED;
    }
  }

  private static Identity caller(User user) {
    if (user == null) {
      return null;
    }
    try {
      return PakAuthProvider.identityOf(user);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The caller's request id when it is at most 128 visible ASCII characters and not a PAK (which
   * would then be logged); else a new random one.
   */
  String requestId(String offered) {
    if (offered != null && !offered.isEmpty() && offered.length() <= MAX_REQUEST_ID && visibleAscii(offered)
        && !looksLikePak(offered)) {
      return offered;
    }
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  /** Anything starting with the PAK prefix and its separator, whatever follows: never echoed, never logged. */
  private boolean looksLikePak(String s) {
    String prefix = pakFormat.prefix() + "_";
    return s.regionMatches(true, 0, prefix, 0, prefix.length()) || Pak.hashOfPresented(s, pakFormat).isPresent();
  }

  private static boolean visibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
