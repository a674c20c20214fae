package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestKafka;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka going away: while it is down the outbox rows stay undispatched (and so do their webhook
 * deliveries, which commit with them), one warning says so without secrets; once it is back every
 * held event is published once, in order per key, and delivered. A broker pointed at a port where
 * nothing listens starts and holds its events the same way.
 */
class KafkaOutageTest {
  private static final String TOPIC = "brokkr.events";
  private static final String HOOK_SECRET = "whsec_S2Fma2FPdXRhZ2VUZXN0U2VjcmV0MDEy";
  static TestKafka kafka;
  static TestBroker broker;
  static Fixtures fx;
  static Vertx receivers;
  static LogCapture logs;

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    kafka = TestKafka.start();
    kafka.createTopic(TOPIC, 2);
    broker = TestBroker.start(TestDatabase.fresh(), Map.of(
        "kafka.bootstrap_servers", kafka.bootstrapServers(),
        "kafka.client_id", "brokkr-outage-test",
        "kafka.send_timeout_ms", "2000",
        "kafka.retry_backoff_max_ms", "1000",
        "broker.webhook_delivery_interval_seconds", "1"));
    fx = new Fixtures(broker);
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    TestDatabase.drop(broker.database);
    kafka.close();
    receivers.close().await(10, TimeUnit.SECONDS);
    logs.close();
  }

  private static long undispatched() {
    return Db.count(broker, "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL");
  }

  private static List<LogCapture.Entry> warnings() {
    return logs.entries().stream().filter(e -> e.level().equals("WARN") && e.message().startsWith("events not published")).toList();
  }

  @Test
  void eventsWaitForKafkaAndGoOnceItIsBack() {
    try (Receiver receiver = Receiver.answering(receivers, 204);
         KafkaConsumer<String, String> consumer = kafka.consumer(TOPIC)) {
      String url = receiver.url("/held");
      var hook = broker.admin().post("/webhooks", new JsonObject().put("name", "held").put("url", url)
          .put("secret", HOOK_SECRET).put("event_types", new JsonArray().add("*")));
      assertEquals(201, hook.statusCode(), hook.bodyAsString());
      var gen = fx.generator();
      // one event through first, so the producer knows the topic's partitions: the outage then
      // shows as records expiring unacknowledged, not as missing metadata (the other test's case)
      fx.stack(gen);
      Eventually.value(() -> undispatched() == 0 ? true : null);
      List<ConsumerRecord<String, String>> records = new ArrayList<>(TestKafka.read(consumer, 1));
      assertEquals(Db.count(broker, "SELECT count(*) FROM event_outbox"), records.size());
      long before = Db.count(broker, "SELECT count(*) FROM event_outbox");
      long deliveriesBefore = Db.count(broker, "SELECT count(*) FROM webhook_deliveries");
      long warningsBefore = warnings().size();

      kafka.pause();
      String stack = fx.stack(gen);
      for (int i = 0; i < 5; i++) {
        fx.deploymentObject(gen, stack, Fixtures.configMap("held-" + i));
      }
      long held = Db.count(broker, "SELECT count(*) FROM event_outbox") - before;
      assertEquals(6, held, "stack.created and five deployment.created");
      Eventually.value(() -> warnings().size() > warningsBefore ? true : null);
      // the dispatcher has tried and failed: nothing of the held events counts as dispatched
      assertEquals(held, undispatched());
      assertEquals(deliveriesBefore, Db.count(broker, "SELECT count(*) FROM webhook_deliveries"),
          "their deliveries commit with the rows, after Kafka acknowledged");
      List<LogCapture.Entry> warnings = warnings().subList((int) warningsBefore, warnings().size());
      assertEquals(1, warnings.size(), "one warning per outage: " + warnings);
      String warning = warnings.get(0).message();
      assertTrue(warning.contains("topic=" + TOPIC), warning);
      assertFalse(warnings.get(0).hasStackTrace(), warning);
      for (LogCapture.Entry e : logs.entries()) {
        assertFalse(e.message().contains(HOOK_SECRET) || e.message().contains(url) || e.message().contains(broker.adminPak)
            || e.message().contains(gen.pak()), "no secret in the log: " + e);
      }

      kafka.resume();
      Eventually.value(() -> undispatched() == 0 ? true : null);
      List<KafkaRecords.Outboxed> outbox = KafkaRecords.outbox(broker);
      records.addAll(TestKafka.read(consumer, outbox.size() - records.size()));
      KafkaRecords.assertOncePerEvent(outbox, records);
      assertEquals(KafkaRecords.expectedByKey(outbox), KafkaRecords.idsByKey(records), "per key, the outbox's order");
      Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE status = 'success'")
          == outbox.size() ? true : null);
      assertTrue(logs.entries().stream().anyMatch(e -> e.message().equals("event dispatch recovered")));
      assertTrue(logs.entries().stream().noneMatch(e -> e.level().equals("ERROR") && e.logger().startsWith("org.brokkr")),
          "an outage is a warning, not an error, in the broker's own log: " + logs.entries());
    }
  }

  @Test
  void aBrokerPointedAtNothingStartsAndHoldsItsEvents() {
    int closed = TestKafka.closedPort();
    TestBroker lonely = TestBroker.start(TestDatabase.fresh(), Map.of(
        "kafka.bootstrap_servers", "127.0.0.1:" + closed,
        "kafka.send_timeout_ms", "1000",
        "kafka.retry_backoff_max_ms", "500"));
    try {
      int warningsBefore = warnings().size();
      Fixtures lonelyFx = new Fixtures(lonely);
      lonelyFx.stack(lonelyFx.generator());
      assertTrue(Db.count(lonely, "SELECT count(*) FROM event_outbox") >= 1, "the stack emitted its event");
      Eventually.value(() -> warnings().size() > warningsBefore ? true : null);
      assertEquals(Db.count(lonely, "SELECT count(*) FROM event_outbox"), Db.count(lonely,
          "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL"), "nothing dispatched without Kafka");
      assertEquals(200, lonely.admin().get("/readyz").statusCode(), "the broker is up all the same");
    } finally {
      lonely.close();
      TestDatabase.drop(lonely.database);
    }
  }
}
