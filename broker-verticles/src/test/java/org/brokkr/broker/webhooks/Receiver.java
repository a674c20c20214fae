package org.brokkr.broker.webhooks;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver for tests: a small HTTP server that records every request and answers with
 * the status it is set to, or never answers ({@link #HANG}). Listens on 127.0.0.1. The agent's
 * webhook tests use it too.
 */
public final class Receiver implements AutoCloseable {
  /** Status meaning: accept the request and never answer. */
  public static final int HANG = -1;

  /** One received request. */
  public record Hit(String path, MultiMap headers, String body, long nanos) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String eventId() {
      return json().getString("id");
    }
  }

  private final HttpServer server;
  private final AtomicInteger status;
  private final List<Hit> hits = new CopyOnWriteArrayList<>();
  public final int port;

  private Receiver(Vertx vertx, int initialStatus) {
    status = new AtomicInteger(initialStatus);
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      hits.add(new Hit(req.path(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString(), System.nanoTime()));
      int answer = status.get();
      if (answer != HANG) {
        req.response().setStatusCode(answer).end(answer >= 300 ? "receiver says " + answer : "");
      }
    }));
    try {
      port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    } catch (Exception e) {
      throw new IllegalStateException("receiver did not start", e);
    }
  }

  public static Receiver answering(Vertx vertx, int status) {
    return new Receiver(vertx, status);
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  public void answer(int newStatus) {
    status.set(newStatus);
  }

  public List<Hit> hits() {
    return List.copyOf(hits);
  }

  public List<Hit> hits(String path) {
    return hits.stream().filter(h -> h.path().equals(path)).toList();
  }

  @Override
  public void close() {
    try {
      server.close().await(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the test is over
    }
  }
}
