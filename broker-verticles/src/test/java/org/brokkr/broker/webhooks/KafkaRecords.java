package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.brokkr.broker.testing.TestBroker;

/** What the event stream tests compare: records read from Kafka against the outbox they came from. */
final class KafkaRecords {
  private KafkaRecords() {}

  /** One outbox row, in the outbox's order. */
  record Outboxed(String id, String type, String key, JsonObject envelope) {}

  /** The last value of each header, as text. */
  static Map<String, String> headers(ConsumerRecord<String, String> r) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  static String ceId(ConsumerRecord<String, String> r) {
    return headers(r).get("ce_id");
  }

  /** Every outbox row by (created_at, id), with the key its data gives: stack, else agent, else work order. */
  static List<Outboxed> outbox(TestBroker b) {
    List<Outboxed> out = new ArrayList<>();
    for (Row r : Db.rows(b, "SELECT id, event_type, payload FROM event_outbox ORDER BY created_at, id")) {
      JsonObject envelope = (JsonObject) r.getValue("payload");
      JsonObject data = envelope.getJsonObject("data", new JsonObject());
      String key = data.getString("stack_id", data.getString("agent_id", data.getString("work_order_id")));
      out.add(new Outboxed(r.getUUID("id").toString(), r.getString("event_type"), key, envelope));
    }
    return out;
  }

  /** Event ids by record key, in the order the records were read (per partition, the order written). */
  static Map<String, List<String>> idsByKey(List<ConsumerRecord<String, String>> records) {
    Map<String, List<String>> out = new HashMap<>();
    for (ConsumerRecord<String, String> r : records) {
      out.computeIfAbsent(String.valueOf(r.key()), k -> new ArrayList<>()).add(ceId(r));
    }
    return out;
  }

  /** Event ids by key, in outbox order. */
  static Map<String, List<String>> expectedByKey(List<Outboxed> outbox) {
    Map<String, List<String>> out = new HashMap<>();
    for (Outboxed o : outbox) {
      out.computeIfAbsent(String.valueOf(o.key()), k -> new ArrayList<>()).add(o.id());
    }
    return out;
  }

  /** Each event id exactly once. */
  static void assertOncePerEvent(List<Outboxed> outbox, List<ConsumerRecord<String, String>> records) {
    Map<String, Integer> seen = new HashMap<>();
    records.forEach(r -> seen.merge(ceId(r), 1, Integer::sum));
    Map<String, Integer> expected = new HashMap<>();
    outbox.forEach(o -> expected.put(o.id(), 1));
    assertEquals(expected, seen, "each event published exactly once");
  }
}
