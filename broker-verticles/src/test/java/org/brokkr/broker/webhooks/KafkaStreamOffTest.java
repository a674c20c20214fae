package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without {@code kafka.bootstrap_servers} no Kafka producer exists (no client thread, no client
 * MBean), nothing mentions Kafka, and webhooks are dispatched and delivered as always.
 */
class KafkaStreamOffTest {
  static Set<String> threadsBefore;
  static Set<ObjectName> producersBefore;
  static LogCapture logs;
  static TestBroker broker;
  static Vertx receivers;

  @BeforeAll
  static void start() throws Exception {
    threadsBefore = kafkaThreads();
    producersBefore = kafkaProducers();
    logs = new LogCapture();
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.webhook_delivery_interval_seconds", "1"));
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    TestDatabase.drop(broker.database);
    receivers.close().await(10, TimeUnit.SECONDS);
    logs.close();
  }

  private static Set<String> kafkaThreads() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith("kafka-producer-network-thread")).collect(Collectors.toSet());
  }

  private static Set<ObjectName> kafkaProducers() throws Exception {
    return ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("kafka.producer:type=app-info,*"), null);
  }

  @Test
  void noProducerAndWebhooksAsBefore() throws Exception {
    try (Receiver receiver = Receiver.answering(receivers, 204)) {
      var hook = broker.admin().post("/webhooks", new JsonObject().put("name", "off").put("url", receiver.url("/off"))
          .put("event_types", new JsonArray().add("stack.*")));
      assertEquals(201, hook.statusCode(), hook.bodyAsString());
      Fixtures fx = new Fixtures(broker);
      String stack = fx.stack(fx.generator());
      Receiver.Hit hit = Eventually.value(() -> receiver.hits().isEmpty() ? null : receiver.hits().get(0));
      assertEquals("stack.created", hit.json().getString("event_type"));
      assertEquals(stack, hit.json().getJsonObject("data").getString("stack_id"));
      assertEquals(0, Db.count(broker, "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL"));
    }
    assertEquals(threadsBefore, kafkaThreads(), "no Kafka client thread started");
    assertEquals(producersBefore, kafkaProducers(), "no Kafka producer registered");
    assertTrue(logs.entries().stream().noneMatch(e -> e.message().toLowerCase().contains("kafka")), logs.entries().toString());
  }
}
