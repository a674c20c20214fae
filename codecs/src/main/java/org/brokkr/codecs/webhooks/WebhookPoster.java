package org.brokkr.codecs.webhooks;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * POSTs one webhook body and reports what happened, with an absolute deadline (the subscription's
 * timeout covers connecting, sending and the response head). A transport failure is described by
 * its kind only: the text never holds the URL, its host or the headers. The broker's delivery
 * worker and the agent's webhook timer both post through it.
 */
public final class WebhookPoster {
  /** How much of an error response's body is kept. */
  public static final int BODY_LIMIT = 1024;

  private final Vertx vertx;
  private final HttpClient client;

  public WebhookPoster(Vertx vertx, int maxConnectionsPerServer) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setShared(false),
        new PoolOptions().setHttp1MaxSize(maxConnectionsPerServer).setMaxWaitQueueSize(-1));
  }

  /**
   * The outcome of one POST: the status of a response (0 when none came), the start of an
   * unsuccessful response's body, or a short reason when no response came.
   */
  public record Outcome(int status, String body, String failure) {
    public boolean delivered() {
      return status >= 200 && status < 300;
    }

    /** Whether trying again may succeed: no response, 408, 425, 429, or anything but a 4xx. */
    public boolean retryable() {
      return status == 0 || retryableStatus(status);
    }

    /** The reference's error text: {@code HTTP <status>: <body>} or {@code Request failed: <reason>}. */
    public String errorText(int bodyChars) {
      if (status > 0) {
        String start = body == null ? "" : body.length() > bodyChars ? body.substring(0, bodyChars) : body;
        return "HTTP " + status + ": " + start;
      }
      return "Request failed: " + failure;
    }

    /**
     * The reference agent's error text: {@code HTTP <status>: <body, at most 500 characters>},
     * {@code Request timed out}, {@code Connection failed} or {@code Request error: <reason>}.
     */
    public String agentErrorText() {
      if (status > 0) {
        return errorText(AGENT_BODY_CHARS);
      }
      if (failure != null && failure.startsWith("timed out")) {
        return "Request timed out";
      }
      if ("connection refused".equals(failure) || "host not found".equals(failure)) {
        return "Connection failed";
      }
      return "Request error: " + failure;
    }
  }

  /** How much of a response body the agent's error text quotes (the reference's number). */
  static final int AGENT_BODY_CHARS = 500;

  /**
   * The headers of one attempt: JSON, the subscription's Authorization header verbatim (when it
   * has one), then the extra headers (a Standard Webhooks signature, the agent's X-Brokkr-* ones).
   */
  public static Map<String, String> headers(String authHeader, Map<String, String> extra) {
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    if (authHeader != null) {
      headers.put("Authorization", authHeader);
    }
    headers.putAll(extra);
    return headers;
  }

  /** The reference's classification of a response status: every 4xx but 408, 425 and 429 is final. */
  public static boolean retryableStatus(int status) {
    return status == 408 || status == 425 || status == 429 || status < 400 || status > 499;
  }

  public Future<Outcome> post(String url, Map<String, String> headers, String body, int timeoutSeconds) {
    long timeoutMillis = Math.max(1, timeoutSeconds) * 1000L;
    RequestOptions options;
    try {
      options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
          .setConnectTimeout(timeoutMillis).setIdleTimeout(timeoutMillis).setFollowRedirects(false);
    } catch (RuntimeException e) {
      return Future.succeededFuture(new Outcome(0, null, "invalid URL"));
    }
    headers.forEach(options::putHeader);
    Promise<Outcome> result = Promise.promise();
    HttpClientRequest[] sent = new HttpClientRequest[1];
    // the deadline ends the exchange whatever stage it is in (a 2xx whose body never ends included)
    long deadline = vertx.setTimer(timeoutMillis, id -> {
      result.tryComplete(new Outcome(0, null, "timed out after " + Math.max(1, timeoutSeconds) + " s"));
      if (sent[0] != null) {
        sent[0].reset(0);
      }
    });
    client.request(options).compose(request -> {
      sent[0] = request;
      if (result.future().isComplete()) {
        request.reset(0);
        return Future.failedFuture(new TimeoutException());
      }
      return request.send(Buffer.buffer(body, StandardCharsets.UTF_8.name()));
    }).onComplete(ar -> {
      if (ar.failed()) {
        result.tryComplete(new Outcome(0, null, reason(ar.cause(), timeoutSeconds)));
        vertx.cancelTimer(deadline);
        return;
      }
      read(ar.result(), result, deadline);
    });
    return result.future();
  }

  /** A 2xx is an answer at once (its body drains in the background); other statuses keep the body's start. */
  private void read(HttpClientResponse response, Promise<Outcome> result, long deadline) {
    int status = response.statusCode();
    Buffer start = Buffer.buffer();
    response.handler(chunk -> {
      int room = BODY_LIMIT - start.length();
      if (room > 0) {
        start.appendBuffer(chunk, 0, Math.min(room, chunk.length()));
      }
    });
    response.exceptionHandler(e -> {
      vertx.cancelTimer(deadline);
      result.tryComplete(new Outcome(status, text(start), null));
    });
    response.endHandler(v -> {
      vertx.cancelTimer(deadline);
      result.tryComplete(new Outcome(status, text(start), null));
    });
    if (status >= 200 && status < 300) {
      result.tryComplete(new Outcome(status, null, null));
    }
  }

  private static String text(Buffer start) {
    return start.toString(StandardCharsets.UTF_8);
  }

  /** What kind of transport failure this is, never its message (which names the host and port). */
  public static String reason(Throwable e, int timeoutSeconds) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException || t instanceof ConnectTimeoutException) {
        return "timed out after " + Math.max(1, timeoutSeconds) + " s";
      }
      if (t instanceof UnknownHostException) {
        return "host not found";
      }
      if (t instanceof ConnectException) {
        return "connection refused";
      }
      if (t instanceof SSLException) {
        return "TLS handshake failed";
      }
      if (t instanceof io.vertx.core.http.HttpClosedException) {
        return "connection closed before a response";
      }
    }
    return "connection error (" + e.getClass().getSimpleName() + ")";
  }

  public Future<Void> close() {
    return client.close();
  }
}
