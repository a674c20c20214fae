package org.brokkr.broker.live;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.TestBroker;

/** A test agent's end of the live channel: connects with a PAK, sends frames, sees the close. */
final class AgentSocket implements AutoCloseable {
  /** Only keeps a broken test from hanging; nothing waits for it on a working broker. */
  private static final long GIVE_UP_SECONDS = 60;

  final WebSocket socket;
  final CompletableFuture<Short> closed = new CompletableFuture<>();
  /** Every text frame the broker sent, in order. */
  final List<String> received = new CopyOnWriteArrayList<>();
  private final WebSocketClient client;

  private AgentSocket(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.closeHandler(v -> closed.complete(socket.closeStatusCode()));
    socket.textMessageHandler(received::add);
  }

  static WebSocketConnectOptions options(TestBroker broker, String pak) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(broker.broker.port())
        .setURI("/internal/ws/agent");
    if (pak != null) {
      options.putHeader("Authorization", "Bearer " + pak);
    }
    return options;
  }

  static AgentSocket connect(TestBroker broker, String pak) {
    WebSocketClient client = broker.vertx.createWebSocketClient();
    try {
      return new AgentSocket(client, client.connect(options(broker, pak)).await(GIVE_UP_SECONDS, TimeUnit.SECONDS));
    } catch (Exception e) {
      client.close();
      throw new IllegalStateException("live channel did not open", e);
    }
  }

  /** The HTTP status the broker refused the upgrade with. */
  static int refusal(TestBroker broker, String pak) {
    WebSocketClient client = broker.vertx.createWebSocketClient();
    try {
      client.connect(options(broker, pak)).await(GIVE_UP_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("the live channel opened");
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      client.close();
    }
  }

  void send(String type, JsonObject body) {
    send(new JsonObject().put("type", type).put("body", body).encode());
  }

  void send(String text) {
    await(socket.writeTextMessage(text));
  }

  void sendBinary(Buffer data) {
    await(socket.writeBinaryMessage(data));
  }

  /** The frames received so far of one type, parsed. */
  List<JsonObject> frames(String type) {
    return received.stream().map(JsonObject::new).filter(f -> type.equals(f.getString("type"))).toList();
  }

  /** The close code the broker closed the socket with. */
  short awaitClosed() {
    try {
      return closed.get(GIVE_UP_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed", e);
    }
  }

  private static void await(io.vertx.core.Future<?> f) {
    try {
      f.await(GIVE_UP_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (!socket.isClosed()) {
      socket.close();
    }
    client.close();
  }
}
