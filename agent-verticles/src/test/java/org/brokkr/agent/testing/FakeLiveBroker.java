package org.brokkr.agent.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.live.WsFrame;

/**
 * A stand-in for the broker's live socket, for what the real one does not do on this branch or
 * must not do in a test: it sends the frames a test gives it (pushes), keeps the frames it gets,
 * and can refuse every upgrade with one status.
 */
public final class FakeLiveBroker implements AutoCloseable {
  private final Vertx vertx = TestVertx.create();
  private final HttpServer server;
  public final List<WsFrame> received = new CopyOnWriteArrayList<>();
  public final List<String> authorizations = new CopyOnWriteArrayList<>();
  public final AtomicInteger upgrades = new AtomicInteger();
  private final List<ServerWebSocket> open = new CopyOnWriteArrayList<>();
  private volatile int refuseWith;

  public FakeLiveBroker() throws Exception {
    server = vertx.createHttpServer().webSocketHandshakeHandler(handshake -> {
      upgrades.incrementAndGet();
      authorizations.add(String.valueOf(handshake.headers().get("Authorization")));
      if (refuseWith > 0) {
        handshake.reject(refuseWith);
        return;
      }
      handshake.accept().onSuccess(ws -> {
        open.add(ws);
        ws.textMessageHandler(text -> received.add(WsFrame.parse(text)));
        ws.closeHandler(v -> open.remove(ws));
      });
    }).requestHandler(req -> req.response().setStatusCode(404).end());
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  /** Every upgrade from now on is answered with {@code status} (0: accepted again). */
  public void refuseWith(int status) {
    refuseWith = status;
  }

  public String url() {
    return "ws://127.0.0.1:" + server.actualPort() + "/internal/ws/agent";
  }

  public int connections() {
    return open.size();
  }

  /** Sends one frame (JSON text) to every open socket. */
  public void push(String frame) {
    open.forEach(ws -> ws.writeTextMessage(frame));
  }

  public List<WsFrame> received(String type) {
    return received.stream().filter(f -> f.variant().wire().equals(type)).toList();
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
