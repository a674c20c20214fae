package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's one LISTEN connection: changes committed through any replica reach the features of
 * this one. Each feature subscribes by channel before the hub starts, with a handler for the
 * payloads and a callback for whether it may trust that it hears everything: {@code true} after
 * every (re)subscription, {@code false} as soon as the connection is lost (or the hub stops),
 * because notifications sent meanwhile are gone for good. Caches clear themselves on both.
 */
public final class NotificationHub extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationHub.class);

  private record Subscription(Consumer<String> handler, Consumer<Boolean> listening) {}

  private final PgConnectOptions options;
  private final Map<String, List<Subscription>> subscriptions = new LinkedHashMap<>();
  private PgSubscriber subscriber;
  private volatile boolean started;
  private volatile boolean stopping;

  public NotificationHub(PgConnectOptions options) {
    this.options = options;
  }

  /** Hears {@code channel} (a resolved name, see {@link Channels}); only before the hub starts. */
  public synchronized NotificationHub subscribe(String channel, Consumer<String> handler, Consumer<Boolean> listening) {
    if (started) {
      throw new IllegalStateException("subscribe before the hub starts: " + channel);
    }
    subscriptions.computeIfAbsent(channel, c -> new ArrayList<>()).add(new Subscription(handler, listening));
    return this;
  }

  /** Hears {@code channel} without caring about lost notifications (a later one will do). */
  public NotificationHub subscribe(String channel, Consumer<String> handler) {
    return subscribe(channel, handler, up -> { });
  }

  @Override
  public synchronized Future<?> start() {
    started = true;
    subscriber = PgSubscriber.subscriber(vertx, options);
    subscriber.reconnectPolicy(retries -> 500L);
    subscriber.closeHandler(v -> {
      if (!stopping) {
        LOG.warn("change notifications lost their connection; caches bypassed until it is back");
      }
      lost();
    });
    subscriptions.forEach((channel, subs) -> subscriber.channel(channel)
        .handler(payload -> subs.forEach(s -> s.handler().accept(payload)))
        .subscribeHandler(v -> {
          quietConnection();
          subs.forEach(s -> s.listening().accept(true));
        }));
    return subscriber.connect();
  }

  private void lost() {
    subscriptions.values().forEach(subs -> subs.forEach(s -> s.listening().accept(false)));
  }

  /**
   * The server's notice that it ends the connection (a restart, an outage): notifications are lost
   * from now until the re-subscription, so everyone hears it at once rather than at the next
   * subscribe. Without a handler the client would print the notice to stderr.
   */
  private void quietConnection() {
    var connection = subscriber.actualConnection();
    if (connection != null) {
      connection.exceptionHandler(e -> {
        LOG.debug("change notification connection: {}", e.toString());
        lost();
      });
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    lost();
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
