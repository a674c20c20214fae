package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two brokers on one database, both dispatching the outbox and both posting deliveries with
 * small batches (so their claims interleave): 1,000 events reach the receiver exactly once each.
 */
class TwoBrokersExactlyOnceTest {
  private static final int EVENTS = 1000;
  private static final Map<String, String> SETTINGS = Map.of(
      "broker.webhook_delivery_interval_seconds", "1",
      "broker.webhook_delivery_batch_size", "7",
      "broker.event_dispatch_batch_size", "13");
  static TestBroker a;
  static TestBroker b;
  static Vertx receivers;

  @BeforeAll
  static void start() {
    a = TestBroker.start(TestDatabase.fresh(), SETTINGS);
    Map<String, String> second = new HashMap<>(SETTINGS);
    second.put("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow());
    b = TestBroker.start(a.database, second);
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    b.close();
    a.close();
    TestDatabase.drop(a.database);
    receivers.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void thousandEventsArriveOnceEach() {
    try (Receiver receiver = Receiver.answering(receivers, 204)) {
      var r = b.as(a.adminPak).post("/webhooks", new JsonObject().put("name", "once").put("url", receiver.url("/once"))
          .put("event_types", new JsonArray().add("test.*")));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      Set<String> sent = new HashSet<>();
      // 50 transactions of 20 events, written through both brokers' pools, each notifying both dispatchers
      for (int t = 0; t < EVENTS / 20; t++) {
        TestBroker through = t % 2 == 0 ? a : b;
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          UUID id = UUID.randomUUID();
          sent.add(id.toString());
          rows.add(Tuple.of(id, "test.counted", new JsonObject().put("id", id.toString()).put("event_type", "test.counted")
              .put("timestamp", "2026-12-01T00:00:00Z").put("data", new JsonObject().put("n", t * 20 + i))));
        }
        io.vertx.core.Future.await(through.broker.pool().withTransaction(conn -> conn
            .preparedQuery("INSERT INTO event_outbox (id, event_type, payload, created_at) VALUES ($1, $2, $3, clock_timestamp())")
            .executeBatch(rows)
            .compose(x -> conn.query("SELECT pg_notify('brokkr_outbox', 'test.counted')").execute())));
      }
      Eventually.value(() -> Db.count(a, "SELECT count(*) FROM webhook_deliveries WHERE status = 'success'") == EVENTS ? true : null);

      Map<String, Integer> received = new HashMap<>();
      receiver.hits().forEach(h -> received.merge(h.eventId(), 1, Integer::sum));
      long duplicates = received.values().stream().filter(n -> n > 1).count();
      Set<String> missing = new HashSet<>(sent);
      missing.removeAll(received.keySet());
      assertEquals(0, duplicates, "events posted more than once");
      assertEquals(Set.of(), missing, "events never posted");
      assertEquals(EVENTS, receiver.hits().size());
      assertEquals(EVENTS, Db.count(a, "SELECT count(*) FROM webhook_deliveries"));
      assertEquals(0, Db.count(a, "SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL"));
    }
  }
}
