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
 * the status it is set to, or never answers ({@link #HANG}). Listens on 127.0.0.1.
 */
final class Receiver implements AutoCloseable {
  /** Status meaning: accept the request and never answer. */
  static final int HANG = -1;

  /** One received request. */
  record Hit(String path, MultiMap headers, String body, long nanos) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String eventId() {
      return json().getString("id");
    }
  }

  private final HttpServer server;
  private final AtomicInteger status;
  private final List<Hit> hits = new CopyOnWriteArrayList<>();
  final int port;

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

  static Receiver answering(Vertx vertx, int status) {
    return new Receiver(vertx, status);
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  void answer(int newStatus) {
    status.set(newStatus);
  }

  List<Hit> hits() {
    return List.copyOf(hits);
  }

  List<Hit> hits(String path) {
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
