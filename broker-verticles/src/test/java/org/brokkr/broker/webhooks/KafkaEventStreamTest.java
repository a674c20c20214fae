package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
import org.brokkr.codecs.EventTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code kafka.bootstrap_servers} set, every event of a run of API changes reaches the topic
 * once, keyed by its stack (else agent, else work order), in outbox order per key, with the
 * webhook body as value and CloudEvents binary-mode headers; webhooks are delivered as before.
 */
class KafkaEventStreamTest {
  private static final String TOPIC = "brokkr.events";
  static TestKafka kafka;
  static TestBroker broker;
  static Fixtures fx;
  static Vertx receivers;
  static LogCapture logs;

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    kafka = TestKafka.start();
    // several partitions, so one key's order is the partition's and not the topic's
    kafka.createTopic(TOPIC, 3);
    broker = TestBroker.start(TestDatabase.fresh(), Map.of(
        "kafka.bootstrap_servers", kafka.bootstrapServers(),
        "kafka.client_id", "brokkr-stream-test",
        "broker.webhook_delivery_interval_seconds", "1",
        // small batches: a run of changes spans many transactions
        "broker.event_dispatch_batch_size", "3"));
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

  @Test
  void everyEventArrivesOnceInOrderPerKeyWithHeadersAndEnvelope() {
    try (Receiver receiver = Receiver.answering(receivers, 204);
         KafkaConsumer<String, String> consumer = kafka.consumer(TOPIC)) {
      var hook = broker.admin().post("/webhooks", new JsonObject().put("name", "all").put("url", receiver.url("/all"))
          .put("event_types", new JsonArray().add("*")));
      assertEquals(201, hook.statusCode(), hook.bodyAsString());

      var gen = fx.generator();
      var agent = fx.agent(List.of(gen.id()));
      String first = fx.stack(gen);
      String second = fx.stack(gen);
      for (int i = 0; i < 4; i++) {
        fx.deploymentObject(gen, first, Fixtures.configMap("a" + i));
        fx.deploymentObject(gen, second, Fixtures.configMap("b" + i));
      }
      String object = fx.deploymentObject(gen, first, Fixtures.configMap("reported")).getString("id");
      assertEquals(201, broker.admin().post("/agents/" + agent.id() + "/targets",
          new JsonObject().put("agent_id", agent.id()).put("stack_id", first)).statusCode());
      for (String status : new String[] {"success", "FAILURE", "success"}) {
        var r = broker.as(agent.pak()).post("/agents/" + agent.id() + "/events", new JsonObject().put("agent_id", agent.id())
            .put("deployment_object_id", object).put("event_type", "DEPLOY").put("status", status).put("message", "m"));
        assertEquals(201, r.statusCode(), r.bodyAsString());
      }
      var order = broker.admin().post("/work-orders", new JsonObject().put("work_type", "custom")
          .put("yaml_content", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: job\n")
          .put("targeting", new JsonObject().put("agent_ids", new JsonArray().add(agent.id()))));
      assertEquals(201, order.statusCode(), order.bodyAsString());
      String orderId = order.bodyAsJsonObject().getString("id");
      var claim = broker.as(agent.pak()).post("/work-orders/" + orderId + "/claim", new JsonObject().put("agent_id", agent.id()));
      assertEquals(200, claim.statusCode(), claim.bodyAsString());
      var done = broker.as(agent.pak()).post("/work-orders/" + orderId + "/complete",
          new JsonObject().put("success", true).put("message", "ok"));
      assertEquals(200, done.statusCode(), done.bodyAsString());
      assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + second).statusCode());
      assertEquals(204, broker.admin().delete("/agents/" + agent.id()).statusCode());

      Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL") == 0 ? true : null);
      List<KafkaRecords.Outboxed> outbox = KafkaRecords.outbox(broker);
      List<ConsumerRecord<String, String>> records = TestKafka.read(consumer, outbox.size());

      KafkaRecords.assertOncePerEvent(outbox, records);
      assertEquals(KafkaRecords.expectedByKey(outbox), KafkaRecords.idsByKey(records), "per key, the outbox's order");
      for (String type : List.of(EventTypes.AGENT_REGISTERED, EventTypes.STACK_CREATED, EventTypes.DEPLOYMENT_CREATED,
          EventTypes.DEPLOYMENT_APPLIED, EventTypes.DEPLOYMENT_FAILED, EventTypes.DEPLOYMENT_DELETED, EventTypes.STACK_DELETED,
          EventTypes.WORKORDER_CREATED, EventTypes.WORKORDER_CLAIMED, EventTypes.WORKORDER_COMPLETED, EventTypes.AGENT_DEREGISTERED)) {
        assertTrue(outbox.stream().anyMatch(o -> o.type().equals(type)), "the run emitted " + type);
      }
      Map<String, KafkaRecords.Outboxed> byId = new HashMap<>();
      outbox.forEach(o -> byId.put(o.id(), o));
      Map<String, Integer> partitionOfKey = new HashMap<>();
      for (ConsumerRecord<String, String> r : records) {
        Map<String, String> h = KafkaRecords.headers(r);
        KafkaRecords.Outboxed o = byId.get(h.get("ce_id"));
        assertNotNull(o, "a record of an outbox event");
        assertEquals("1.0", h.get("ce_specversion"));
        assertEquals(o.type(), h.get("ce_type"));
        assertEquals("/brokkr/broker", h.get("ce_source"));
        assertEquals("application/json", h.get("content-type"));
        assertEquals(o.envelope().getString("timestamp"), h.get("ce_time"));
        assertNotNull(OffsetDateTime.parse(h.get("ce_time")));
        assertEquals(o.key(), r.key(), "keyed by stack, else agent, else work order");
        assertEquals(partitionOfKey.computeIfAbsent(r.key(), k -> r.partition()), r.partition(), "one partition per key");
        JsonObject value = new JsonObject(r.value());
        assertEquals(List.of("id", "event_type", "timestamp", "data"), List.copyOf(value.fieldNames()));
        assertEquals(o.id(), value.getString("id"));
        assertEquals(o.type(), value.getString("event_type"));
        assertEquals(o.envelope().getJsonObject("data"), value.getJsonObject("data"));
      }
      JsonObject applied = byId.values().stream().filter(o -> o.type().equals(EventTypes.DEPLOYMENT_APPLIED)).findFirst()
          .orElseThrow().envelope().getJsonObject("data");
      assertEquals(first, records.stream().filter(r -> KafkaRecords.headers(r).get("ce_type").equals(EventTypes.DEPLOYMENT_APPLIED))
          .findFirst().orElseThrow().key(), "an agent's report on a stack is keyed by the stack");
      assertEquals(first, applied.getString("stack_id"));
      assertEquals(agent.id(), records.stream().filter(r -> KafkaRecords.headers(r).get("ce_type").equals(EventTypes.AGENT_REGISTERED))
          .findFirst().orElseThrow().key());
      assertEquals(orderId, records.stream().filter(r -> KafkaRecords.headers(r).get("ce_type").equals(EventTypes.WORKORDER_CREATED))
          .findFirst().orElseThrow().key());

      // the webhook got the same events, and its body is the record's value
      Eventually.value(() -> receiver.hits().size() >= outbox.size() ? true : null);
      for (ConsumerRecord<String, String> r : records) {
        assertEquals(1, Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE event_id = $1 AND payload = $2",
            UUID.fromString(KafkaRecords.ceId(r)), r.value()));
      }
      assertTrue(logs.entries().stream().noneMatch(e -> e.message().contains("events not published")), logs.entries().toString());
    }
  }
}
