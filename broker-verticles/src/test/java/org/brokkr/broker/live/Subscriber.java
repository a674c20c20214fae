package org.brokkr.broker.live;

import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.brokkr.broker.testing.TestBroker;

/** A test's end of a live subscriber stream: collects the frames it receives. */
final class Subscriber implements AutoCloseable {
  private static final long GIVE_UP_SECONDS = 60;

  final WebSocket socket;
  final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final WebSocketClient client;

  private Subscriber(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(t -> frames.add(new JsonObject(t)));
  }

  /** How the PAK is presented. */
  enum Via { HEADER, SUBPROTOCOL }

  static WebSocketConnectOptions options(TestBroker broker, String uri, String pak, Via via) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(broker.broker.port())
        .setURI(uri);
    if (pak != null && via == Via.HEADER) {
      options.putHeader("Authorization", "Bearer " + pak);
    }
    if (pak != null && via == Via.SUBPROTOCOL) {
      options.setSubProtocols(List.of("brokkr.v1", "brokkr.pak." + pak));
    }
    return options;
  }

  static Subscriber stack(TestBroker broker, String stack, String pak, Via via) {
    return connect(broker, options(broker, "/api/v1/stacks/" + stack + "/live", pak, via));
  }

  /** A stack subscriber whose socket takes in little before it is read (its receive buffer is small). */
  static Subscriber slowReader(TestBroker broker, String stack, String pak) {
    WebSocketClient client = broker.vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096));
    try {
      return new Subscriber(client, client.connect(options(broker, "/api/v1/stacks/" + stack + "/live", pak, Via.HEADER))
          .await(GIVE_UP_SECONDS, TimeUnit.SECONDS));
    } catch (Exception e) {
      client.close();
      throw new IllegalStateException("subscription did not open", e);
    }
  }

  static Subscriber fleet(TestBroker broker, String pak) {
    return connect(broker, options(broker, "/api/v1/fleet/live", pak, Via.HEADER));
  }

  private static Subscriber connect(TestBroker broker, WebSocketConnectOptions options) {
    WebSocketClient client = broker.vertx.createWebSocketClient();
    try {
      return new Subscriber(client, client.connect(options).await(GIVE_UP_SECONDS, TimeUnit.SECONDS));
    } catch (Exception e) {
      client.close();
      throw new IllegalStateException("subscription did not open", e);
    }
  }

  /** The HTTP status the upgrade was refused with. */
  static int refusal(TestBroker broker, String uri, String pak, Via via) {
    WebSocketClient client = broker.vertx.createWebSocketClient();
    try {
      client.connect(options(broker, uri, pak, via)).await(GIVE_UP_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("the subscription opened");
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      client.close();
    }
  }

  /** The next frame received. */
  JsonObject next() {
    try {
      JsonObject f = frames.poll(GIVE_UP_SECONDS, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame arrived");
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The first frame (skipping others) that matches. */
  JsonObject first(Predicate<JsonObject> wanted) {
    while (true) {
      JsonObject f = next();
      if (wanted.test(f)) {
        return f;
      }
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
