package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.config.KafkaSettings;
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
 *
 * <p>With the Kafka stream on, the batch's events are also published, and the transaction commits
 * only once Kafka acknowledged all of them; a failed send rolls the batch back (rows, deliveries and
 * all) and the batch is retried after a growing pause. Batches then also take a transaction-scoped
 * advisory lock, so one replica at a time publishes and each key's records keep the outbox's order.
 */
public final class EventDispatcherVerticle extends VerticleBase {
  /** One publishing dispatcher at a time across replicas (Kafka on only). */
  private static final String TRY_LOCK = "SELECT pg_try_advisory_xact_lock(" + 0x6272_6b72_6b61_666bL + ")";
  private static final long FIRST_RETRY_MILLIS = 250;
  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcherVerticle.class);

  private final Pool pool;
  private final PgConnectOptions listen;
  private final int batchSize;
  private final long pollMillis;
  private final KafkaSettings kafka;
  private final OutboxRepository repo = new OutboxRepository();
  private KafkaEventStream stream;
  private PgSubscriber subscriber;
  private final String channel;
  private long poll = -1;
  private long retry = -1;
  private boolean running;
  private boolean again;
  private boolean failing;
  private int failures;

  public EventDispatcherVerticle(Pool pool, PgConnectOptions listen, String channel, int batchSize, int pollSeconds,
      KafkaSettings kafka) {
    this.pool = pool;
    this.listen = listen;
    this.channel = channel;
    this.batchSize = batchSize;
    this.pollMillis = pollSeconds * 1000L;
    this.kafka = kafka;
  }

  @Override
  public Future<?> start() {
    if (kafka.enabled()) {
      stream = new KafkaEventStream(vertx, kafka);
      LOG.info("events are published to kafka topic={} client_id={}", kafka.topic(), kafka.clientId());
    }
    subscriber = PgSubscriber.subscriber(vertx, listen);
    subscriber.reconnectPolicy(retries -> 500L);
    subscriber.channel(channel)
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
    vertx.cancelTimer(retry);
    Future<?> closed = subscriber == null ? Future.succeededFuture() : subscriber.close();
    return stream == null ? closed : closed.eventually(stream::close);
  }

  /**
   * Runs batches until the outbox is drained; a wake-up during a run asks for one more pass, and
   * one during a pause after a failed publication waits for the pause to end.
   */
  void wake() {
    if (running) {
      again = true;
      return;
    }
    if (retry >= 0) {
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
        failures = 0;
        if (ar.result() >= batchSize || again) {
          again = false;
          drain();
          return;
        }
      } else if (ar.cause() instanceof KafkaEventStream.Unavailable unavailable) {
        long pause = pause(++failures);
        if (!failing || failures == 1) {
          LOG.warn("events not published to kafka (their outbox rows are kept and retried) retry_in_ms={} {}",
              pause, unavailable.getMessage());
        }
        failing = true;
        running = false;
        retry = vertx.setTimer(pause, id -> {
          retry = -1;
          wake();
        });
        return;
      } else if (!failing) {
        failing = true;
        LOG.warn("event dispatch failed (retried on the next notification or poll): {}", FailureLog.oneLine(ar.cause().toString()));
      }
      running = false;
    });
  }

  /** 250 ms, doubling with each failure in a row, up to the configured longest pause. */
  private long pause(int failuresInARow) {
    return Math.min(kafka.retryBackoffMaxMillis(), FIRST_RETRY_MILLIS << Math.min(failuresInARow - 1, 20));
  }

  /** One batch; its value is the number of outbox rows it dispatched. */
  Future<Integer> dispatchBatch() {
    return pool.withTransaction(conn -> mayDispatch(conn)
        .compose(yes -> yes ? dispatch(conn) : Future.succeededFuture(Dispatched.NONE))).map(done -> {
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

  private Future<Dispatched> dispatch(SqlConnection conn) {
    return repo.claim(conn, batchSize).compose(events -> {
      if (events.isEmpty()) {
        return Future.succeededFuture(Dispatched.NONE);
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
        return repo.insert(conn, subs, matched)
            // last, so the commit follows the acknowledgements as closely as it can
            .compose(brokerSide -> (stream == null ? Future.<Void>succeededFuture() : stream.publish(events))
                .map(v -> new Dispatched(events.size(), subs.size(), brokerSide)));
      });
    });
  }

  /** Without Kafka, always; with it, only while no other replica is publishing (it will drain what is left). */
  private Future<Boolean> mayDispatch(SqlConnection conn) {
    if (stream == null) {
      return Future.succeededFuture(true);
    }
    return conn.query(TRY_LOCK).execute().map(rows -> rows.iterator().next().getBoolean(0));
  }

  private record Dispatched(int events, int deliveries, Set<UUID> brokerSide) {
    static final Dispatched NONE = new Dispatched(0, 0, Set.of());
  }
}
