package org.brokkr.broker.webhooks;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.brokkr.broker.config.KafkaSettings;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.broker.support.Rows;

/**
 * The dispatcher's Kafka side: each event of a batch becomes one record on the topic, keyed by the
 * stack (else agent, else work order) it concerns so that one key's events stay in one partition in
 * order; the value is the webhook body, the headers are CloudEvents' binary mode. The producer is
 * idempotent with {@code acks=all}: an acknowledged record is on every in-sync replica, and the
 * producer's own retries never duplicate or reorder it. The client is made on first use, so a
 * Kafka whose name does not resolve yet delays events rather than the broker's start.
 */
final class KafkaEventStream {
  static final String SPEC_VERSION = "1.0";
  static final String CONTENT_TYPE = "application/json";
  private static final int LINGER_MS = 5;

  private final Vertx vertx;
  private final KafkaSettings settings;
  private KafkaProducer<String, String> producer;

  KafkaEventStream(Vertx vertx, KafkaSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** A Kafka failure, with the cause in one line (the settings hold no secret; the cause names servers only). */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Publishes the batch in order and completes once Kafka acknowledged every record, or fails
   * once every send has settled and at least one failed (so no send of a rolled-back batch is
   * still in flight when the batch is retried).
   */
  Future<Void> publish(List<OutboxRepository.Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return producer()
        // the metadata wait is bounded by max.block.ms once per batch instead of once per record
        .compose(p -> p.partitionsFor(settings.topic()).map(partitions -> p))
        .compose(p -> sendAll(p.unwrap(), events))
        .recover(e -> Future.failedFuture(new Unavailable("topic=" + settings.topic() + " events=" + events.size()
            + " error=" + causes(e))));
  }

  /**
   * Hands the whole batch to the client in one worker task, in order (one hop per batch rather
   * than per record), and completes on this context when the last acknowledgement or failure came.
   */
  private Future<Void> sendAll(Producer<String, String> client, List<OutboxRepository.Event> events) {
    Context ctx = vertx.getOrCreateContext();
    List<ProducerRecord<String, String>> records = new ArrayList<>(events.size());
    for (OutboxRepository.Event e : events) {
      records.add(record(settings, e).record());
    }
    Promise<Void> settled = Promise.promise();
    AtomicInteger pending = new AtomicInteger(records.size());
    AtomicReference<Throwable> failure = new AtomicReference<>();
    IntConsumer settle = n -> {
      if (pending.addAndGet(-n) == 0) {
        ctx.runOnContext(v -> {
          if (failure.get() == null) {
            settled.complete();
          } else {
            settled.fail(failure.get());
          }
        });
      }
    };
    return vertx.executeBlocking(() -> {
      for (int i = 0; i < records.size(); i++) {
        try {
          client.send(records.get(i), (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
            settle.accept(1);
          });
        } catch (RuntimeException e) {
          // not sent, so no callback: this record and the rest are settled here
          failure.compareAndSet(null, e);
          settle.accept(records.size() - i);
          break;
        }
      }
      return null;
    }).compose(v -> settled.future());
  }

  Future<Void> close() {
    return producer == null ? Future.succeededFuture() : producer.close(settings.sendTimeoutMillis());
  }

  private Future<KafkaProducer<String, String>> producer() {
    if (producer != null) {
      return Future.succeededFuture(producer);
    }
    // the client's constructor resolves the bootstrap names: a worker's job
    return vertx.executeBlocking(() -> new org.apache.kafka.clients.producer.KafkaProducer<>(
            properties(settings), new StringSerializer(), new StringSerializer()))
        .map(client -> {
          producer = KafkaProducer.create(vertx, client);
          // every failed send also fails its own future, which the batch reports; without a handler
          // the write stream would log each one again as an unhandled exception
          producer.exceptionHandler(e -> { });
          return producer;
        });
  }

  static Map<String, Object> properties(KafkaSettings s) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers().orElseThrow());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, s.clientId());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    // a record is either acknowledged or failed within the send timeout; the batch's transaction waits that long at most
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, s.sendTimeoutMillis());
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, s.sendTimeoutMillis() - LINGER_MS));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, s.sendTimeoutMillis());
    return p;
  }

  static KafkaProducerRecord<String, String> record(KafkaSettings s, OutboxRepository.Event e) {
    return KafkaProducerRecord.<String, String>create(s.topic(), key(e), e.body())
        .addHeader("ce_specversion", SPEC_VERSION)
        .addHeader("ce_id", e.id().toString())
        .addHeader("ce_type", e.type())
        .addHeader("ce_source", s.source())
        .addHeader("ce_time", time(e))
        .addHeader("content-type", CONTENT_TYPE);
  }

  /** The stack the event concerns, else its agent, else its work order (from its data); none: no key. */
  static String key(OutboxRepository.Event e) {
    JsonObject data = e.data();
    if (data == null) {
      return null;
    }
    for (String field : new String[] {"stack_id", "agent_id", "work_order_id"}) {
      if (data.getValue(field) instanceof String id && !id.isBlank()) {
        return id;
      }
    }
    return null;
  }

  /** The envelope's timestamp when it is RFC 3339, else the time the row was written. */
  static String time(OutboxRepository.Event e) {
    if (e.timestamp() instanceof String t) {
      try {
        OffsetDateTime.parse(t);
        return t;
      } catch (DateTimeParseException ignored) {
        // written by something else than the journal: fall back to the row's time
      }
    }
    return Rows.timestamp(e.createdAt());
  }

  /** The failure and its causes, each once, in one line. */
  static String causes(Throwable e) {
    StringBuilder out = new StringBuilder();
    java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Throwable c = e; c != null && seen.add(c); c = c.getCause()) {
      if (out.length() > 0) {
        out.append(" <- ");
      }
      out.append(c.getClass().getName());
      if (c.getMessage() != null) {
        out.append(": ").append(c.getMessage());
      }
    }
    return FailureLog.oneLine(out.toString());
  }
}
