package org.brokkr.agent.live;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.live.MalformedFrameException;
import org.brokkr.codecs.live.WsFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's live socket to the broker ({@code ws_url}, our PAK as bearer, TLS as the REST
 * client). REST stays the source of truth: the socket only carries pushes (hints to poll now) and
 * lets uplink frames skip a REST round trip. Other verticles write through the event bus: an
 * {@link Addresses#AGENT_LIVE_UPLINK} request is answered once the frame is written and failed
 * when it cannot be (then the sender uses REST); {@link Addresses#AGENT_LIVE_TELEMETRY} frames are
 * dropped when they cannot go.
 */
public final class BrokerSocketVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerSocketVerticle.class);
  /** Frames being written at most; one more is refused (uplink goes by REST, telemetry is dropped). */
  static final int OUTBOUND_CAP = 256;
  /** Push hints being acted on at most; one more is dropped (the next poll catches up anyway). */
  static final int INBOUND_CAP = 256;
  static final int MAX_FRAME_BYTES = 64 * 1024;
  static final int MAX_MESSAGE_BYTES = 256 * 1024;

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final Optional<Buffer> caBundle;
  private final Redial redial = new Redial(() -> ThreadLocalRandom.current().nextDouble());
  private WebSocketClient client;
  private WebSocket socket;
  private int outbound;
  private int inbound;
  private long timer = -1;
  private boolean stopped;
  private String lastFailure;

  public BrokerSocketVerticle(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, Optional<Buffer> caBundle) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.caBundle = caBundle;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<String>consumer(Addresses.AGENT_LIVE_UPLINK, this::uplink);
    vertx.eventBus().<String>consumer(Addresses.AGENT_LIVE_TELEMETRY, m -> telemetry(m.body()));
    if (config.wsForceRest()) {
      LOG.info("live socket disabled (ws_force_rest=true): REST only");
      state(LiveState.FORCE_REST_ONLY);
      return Future.succeededFuture();
    }
    URI uri = URI.create(config.wsUrl());
    boolean ssl = "wss".equals(uri.getScheme());
    WebSocketClientOptions options = new WebSocketClientOptions()
        .setConnectTimeout(10_000)
        .setMaxFrameSize(MAX_FRAME_BYTES)
        .setMaxMessageSize(MAX_MESSAGE_BYTES)
        .setSsl(ssl);
    if (ssl) {
      options.setTrustAll(false).setVerifyHost(true);
      caBundle.ifPresent(pem -> options.setTrustOptions(new PemTrustOptions().addCertValue(pem)));
    }
    client = vertx.createWebSocketClient(options);
    state(LiveState.DOWN);
    dial(new WebSocketConnectOptions()
        .setHost(uri.getHost())
        .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80)
        .setURI(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        .setSsl(ssl)
        .putHeader("Authorization", "Bearer " + config.pak()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Future<Void> closing = socket == null ? Future.succeededFuture() : socket.close().otherwise((Void) null);
    return closing.compose(v -> client == null ? Future.succeededFuture() : client.close());
  }

  private void dial(WebSocketConnectOptions target) {
    if (stopped) {
      return;
    }
    client.connect(target).onComplete(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.succeeded()) {
        connected(ar.result(), target);
        return;
      }
      Throwable err = ar.cause();
      if (err instanceof UpgradeRejectedException rejected && (rejected.getStatus() == 401 || rejected.getStatus() == 403)) {
        if (redial.refused()) {
          LOG.warn("live socket refused by the broker ({}) {} times in a row: no more dialing, REST only",
              rejected.getStatus(), Redial.REFUSALS_TO_GIVE_UP);
          state(LiveState.AUTH_REJECTED);
          return;
        }
      } else {
        redial.failedOtherwise();
      }
      long delay = redial.nextDelayMillis();
      // said once per reason (a TLS or address problem shows up in the log), then only at debug
      String reason = String.valueOf(err.getMessage());
      if (!reason.equals(lastFailure)) {
        lastFailure = reason;
        LOG.info("live socket not connected url={} ({}); REST carries everything meanwhile, dialing again in {} ms",
            config.wsUrl(), reason, delay);
      } else {
        LOG.debug("live socket not connected ({}); next attempt in {} ms", reason, delay);
      }
      timer = vertx.setTimer(delay, id -> dial(target));
    });
  }

  private void connected(WebSocket ws, WebSocketConnectOptions target) {
    socket = ws;
    lastFailure = null;
    redial.connected();
    ws.textMessageHandler(this::received);
    ws.exceptionHandler(err -> LOG.debug("live socket error: {}", err.getMessage()));
    ws.closeHandler(v -> {
      if (socket != ws) {
        return;
      }
      socket = null;
      state(LiveState.DOWN);
      if (stopped) {
        return;
      }
      long delay = redial.nextDelayMillis();
      // 4000: a newer socket of this agent took over; 4001: our PAK was rotated or the agent deleted
      LOG.info("live socket closed code={} reason={}; dialing again in {} ms", ws.closeStatusCode(), ws.closeReason(), delay);
      timer = vertx.setTimer(delay, id -> dial(target));
    });
    state(LiveState.UP);
    LOG.info("live socket up url={}", config.wsUrl());
  }

  private void state(LiveState state) {
    runtime.liveState(state);
    metrics.liveState(state);
  }

  /** A frame from the broker: push hints are acted on; anything else is not ours to act on. */
  private void received(String text) {
    WsFrame frame;
    try {
      frame = WsFrame.parse(text);
    } catch (MalformedFrameException e) {
      LOG.debug("live frame ignored: {}", e.getMessage());
      return;
    }
    String address = switch (frame.variant()) {
      case TARGET_CHANGED, STACK_CHANGED -> Addresses.AGENT_DEPLOYMENT_CHECK_NOW;
      case WORK_ORDER -> Addresses.AGENT_WORK_ORDERS_NOW;
      default -> null;
    };
    if (address == null) {
      LOG.debug("live frame ignored type={}", frame.variant().wire());
      return;
    }
    if (inbound >= INBOUND_CAP) {
      metrics.liveHintDropped();
      return;
    }
    inbound++;
    metrics.liveHint(frame.variant().wire());
    vertx.eventBus().request(address, frame.variant().wire()).onComplete(ar -> inbound--);
  }

  private void uplink(Message<String> request) {
    WebSocket ws = socket;
    if (ws == null || outbound >= OUTBOUND_CAP) {
      request.fail(503, ws == null ? "live socket not up" : "live socket outbound queue full");
      return;
    }
    write(ws, request.body()).onComplete(ar -> {
      if (ar.succeeded()) {
        request.reply(null);
      } else {
        request.fail(503, "live socket write failed: " + ar.cause().getMessage());
      }
    });
  }

  /** Telemetry has no REST fallback (as in the reference): what cannot be written now is counted and dropped. */
  private void telemetry(String text) {
    WebSocket ws = socket;
    if (ws == null || outbound >= OUTBOUND_CAP) {
      metrics.telemetryDropped();
      return;
    }
    write(ws, text).onFailure(err -> metrics.telemetryDropped());
  }

  private Future<Void> write(WebSocket ws, String text) {
    outbound++;
    return ws.writeTextMessage(text).andThen(ar -> {
      outbound--;
      if (ar.succeeded()) {
        metrics.liveFrameSent();
      }
    });
  }
}
