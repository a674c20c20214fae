package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestKafka;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two brokers on one database, both publishing to one Kafka with small batches, both woken by
 * every commit: each event reaches the topic once, and each key's events keep the outbox's order.
 */
class KafkaTwoBrokersTest {
  private static final String TOPIC = "brokkr.events";
  private static final int EVENTS = 600;
  private static final int KEYS = 7;
  static TestKafka kafka;
  static TestBroker a;
  static TestBroker b;

  @BeforeAll
  static void start() {
    kafka = TestKafka.start();
    kafka.createTopic(TOPIC, 3);
    Map<String, String> settings = new HashMap<>(Map.of(
        "kafka.bootstrap_servers", kafka.bootstrapServers(),
        "kafka.client_id", "brokkr-a",
        "broker.event_dispatch_batch_size", "13"));
    a = TestBroker.start(TestDatabase.fresh(), settings);
    settings.put("kafka.client_id", "brokkr-b");
    settings.put("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow());
    b = TestBroker.start(a.database, settings);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
    TestDatabase.drop(a.database);
    kafka.close();
  }

  @Test
  void eachEventIsPublishedOnceInOrderPerKey() {
    try (KafkaConsumer<String, String> consumer = kafka.consumer(TOPIC)) {
      List<String> stacks = new ArrayList<>();
      for (int k = 0; k < KEYS; k++) {
        stacks.add(UUID.randomUUID().toString());
      }
      // 30 transactions of 20 events over 7 stacks, alternately through both brokers' pools, each notifying both
      for (int t = 0; t < EVENTS / 20; t++) {
        TestBroker through = t % 2 == 0 ? a : b;
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          int n = t * 20 + i;
          UUID id = UUID.randomUUID();
          rows.add(Tuple.of(id, "deployment.created", new JsonObject().put("id", id.toString())
              .put("event_type", "deployment.created").put("timestamp", "2026-12-01T00:00:00Z")
              .put("data", new JsonObject().put("stack_id", stacks.get(n % KEYS)).put("n", n))));
        }
        Future.await(through.broker.pool().withTransaction(conn -> conn
            .preparedQuery("INSERT INTO event_outbox (id, event_type, payload, created_at) VALUES ($1, $2, $3, clock_timestamp())")
            .executeBatch(rows)
            .compose(x -> conn.query("SELECT pg_notify('brokkr_outbox', 'deployment.created')").execute())));
      }
      Eventually.value(() -> Db.count(a, "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL") == 0 ? true : null);

      List<KafkaRecords.Outboxed> outbox = KafkaRecords.outbox(a);
      assertEquals(EVENTS, outbox.size());
      List<ConsumerRecord<String, String>> records = TestKafka.read(consumer, EVENTS);
      KafkaRecords.assertOncePerEvent(outbox, records);
      Map<String, List<String>> expected = KafkaRecords.expectedByKey(outbox);
      assertEquals(KEYS, expected.size());
      assertEquals(expected, KafkaRecords.idsByKey(records), "per key, the outbox's order");
    }
  }
}
