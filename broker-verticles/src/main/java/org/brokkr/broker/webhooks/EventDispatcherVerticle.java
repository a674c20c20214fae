package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns committed events into webhook deliveries. Each batch is one transaction: outbox rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED} and marked dispatched, every enabled subscription
 * whose patterns and filters match gets a delivery carrying the event's envelope (its {@code id}
 * is the event's, so it stays the same over retries), and the deliveries are inserted. Nothing is
 * lost and nothing is dispatched twice: a crash rolls the batch back, other replicas skip locked
 * rows. Woken by {@code NOTIFY brokkr_outbox} as each change commits; a slow poll covers any
 * notification lost while the LISTEN connection was down. One instance per broker.
 */
public final class EventDispatcherVerticle extends VerticleBase {
  public static final String CHANNEL = "brokkr_outbox";
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcherVerticle.class);

  private final Pool pool;
  private final PgConnectOptions listen;
  private final int batchSize;
  private final long pollMillis;
  private final OutboxRepository repo = new OutboxRepository();
  private PgSubscriber subscriber;
  private long poll = -1;
  private boolean running;
  private boolean again;
  private boolean failing;

  public EventDispatcherVerticle(Pool pool, PgConnectOptions listen, int batchSize, int pollSeconds) {
    this.pool = pool;
    this.listen = listen;
    this.batchSize = batchSize;
    this.pollMillis = pollSeconds * 1000L;
  }

  @Override
  public Future<?> start() {
    subscriber = PgSubscriber.subscriber(vertx, listen);
    subscriber.reconnectPolicy(retries -> 500L);
    subscriber.channel(CHANNEL)
        .handler(payload -> wake())
        .subscribeHandler(v -> {
          var connection = subscriber.actualConnection();
          if (connection != null) {
            connection.exceptionHandler(e -> LOG.debug("outbox notification connection: {}", e.toString()));
          }
          wake(); // whatever was committed while not listening
        });
    poll = vertx.setPeriodic(pollMillis, id -> wake());
    return subscriber.connect();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(poll);
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  /** Runs batches until the outbox is drained; a wake-up during a run asks for one more pass. */
  void wake() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    drain();
  }

  private void drain() {
    dispatchBatch().onComplete(ar -> {
      if (ar.succeeded()) {
        if (failing) {
          LOG.info("event dispatch recovered");
          failing = false;
        }
        if (ar.result() >= batchSize || again) {
          again = false;
          drain();
          return;
        }
      } else if (!failing) {
        failing = true;
        LOG.warn("event dispatch failed (retried on the next notification or poll): {}", FailureLog.oneLine(ar.cause().toString()));
      }
      running = false;
    });
  }

  /** One batch; its value is the number of outbox rows it dispatched. */
  Future<Integer> dispatchBatch() {
    return pool.withTransaction(conn -> repo.claim(conn, batchSize).compose(events -> {
      if (events.isEmpty()) {
        return Future.succeededFuture(new Dispatched(0, 0, Set.of()));
      }
      return repo.enabled(conn).compose(subscriptions -> {
        List<UUID> subs = new ArrayList<>();
        List<OutboxRepository.Event> matched = new ArrayList<>();
        for (OutboxRepository.Event event : events) {
          for (OutboxRepository.Subscription s : subscriptions) {
            if (s.match().matches(event.type(), event.data())) {
              subs.add(s.id());
              matched.add(event);
            }
          }
        }
        return repo.insert(conn, subs, matched).map(brokerSide -> new Dispatched(events.size(), subs.size(), brokerSide));
      });
    })).map(done -> {
      if (done.events() > 0) {
        LOG.debug("events dispatched events={} deliveries={}", done.events(), done.deliveries());
      }
      if (!done.brokerSide().isEmpty()) {
        JsonArray ids = new JsonArray();
        done.brokerSide().forEach(id -> ids.add(id.toString()));
        vertx.eventBus().publish(Addresses.WEBHOOK_DELIVERIES_DUE, ids);
      }
      return done.events();
    });
  }

  private record Dispatched(int events, int deliveries, Set<UUID> brokerSide) {}
}
