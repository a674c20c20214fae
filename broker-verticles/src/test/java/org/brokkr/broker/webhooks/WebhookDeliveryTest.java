package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.EventTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * From a committed change to the receiver: every event type with its envelope and data, the
 * reference's pattern and filter selection, retries and deaths, isolation of a hanging receiver,
 * signatures, and no URL or secret in errors or logs.
 */
class WebhookDeliveryTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static TestBroker broker;
  static Fixtures fx;
  static Vertx receivers;
  static LogCapture logs;
  private final List<String> subscriptions = new ArrayList<>();

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.webhook_delivery_interval_seconds", "1"));
    fx = new Fixtures(broker);
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    receivers.close().await(10, TimeUnit.SECONDS);
    logs.close();
  }

  @AfterEach
  void unsubscribe() {
    subscriptions.forEach(id -> broker.admin().delete("/webhooks/" + id));
    subscriptions.clear();
  }

  private String subscribe(String url, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", "hook-" + UUID.randomUUID()).put("url", url)
        .put("event_types", new JsonArray().add("*"));
    body.mergeIn(extra);
    var r = broker.admin().post("/webhooks", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String id = r.bodyAsJsonObject().getString("id");
    subscriptions.add(id);
    return id;
  }

  private static JsonObject delivery(String subscriptionId) {
    return Eventually.value(() -> {
      var rows = Db.rows(broker, "SELECT * FROM webhook_deliveries WHERE subscription_id = $1", UUID.fromString(subscriptionId));
      return rows.size() == 0 ? null : org.brokkr.broker.support.Rows.json(rows.iterator().next());
    });
  }

  private static JsonObject deliveryWhen(String subscriptionId, String status) {
    return Eventually.value(() -> {
      JsonObject d = delivery(subscriptionId);
      return status.equals(d.getString("status")) ? d : null;
    });
  }

  /** An outbox row written as the emitting code writes it (for event types served elsewhere). */
  private static String emit(String type, JsonObject data) {
    UUID id = UUID.randomUUID();
    JsonObject envelope = new JsonObject().put("id", id.toString()).put("event_type", type)
        .put("timestamp", "2026-12-01T00:00:00Z").put("data", data);
    Db.exec(broker, "INSERT INTO event_outbox (id, event_type, payload) VALUES ($1, $2, $3)", id, type, envelope);
    Db.exec(broker, "SELECT pg_notify('brokkr_outbox', $1)", type);
    return id.toString();
  }

  private static void report(Fixtures.Agent agent, String objectId, String status) {
    var r = broker.as(agent.pak()).post("/agents/" + agent.id() + "/events", new JsonObject().put("agent_id", agent.id())
        .put("deployment_object_id", objectId).put("event_type", "DEPLOY").put("status", status).put("message", "m"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  @Test
  void everyEventTypeArrivesWithItsEnvelopeAndData() {
    try (Receiver receiver = Receiver.answering(receivers, 204)) {
      subscribe(receiver.url("/all"), new JsonObject());
      var gen = fx.generator();
      var agent = fx.agent(List.of(gen.id()));
      String stack = fx.stack(gen);
      String object = fx.deploymentObject(gen, stack, Fixtures.configMap("cm")).getString("id");
      assertEquals(201, broker.admin().post("/agents/" + agent.id() + "/targets",
          new JsonObject().put("agent_id", agent.id()).put("stack_id", stack)).statusCode());
      report(agent, object, "success");
      report(agent, object, "FAILURE");
      assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + stack).statusCode());
      assertEquals(204, broker.admin().delete("/agents/" + agent.id()).statusCode());
      // work-order events are written by the work-order code; here their outbox rows directly
      UUID order = UUID.randomUUID();
      emit(EventTypes.WORKORDER_CREATED, new JsonObject().put("work_order_id", order.toString()).put("work_type", "build")
          .put("status", "PENDING").put("created_at", "2026-12-01T00:00:00Z"));
      emit(EventTypes.WORKORDER_CLAIMED, new JsonObject().put("work_order_id", order.toString()).put("work_type", "build")
          .put("agent_id", agent.id()).put("claimed_at", "2026-12-01T00:00:01Z"));
      JsonObject logged = new JsonObject().put("work_order_log_id", order.toString()).put("work_type", "build")
          .put("success", true).put("result_message", "sha256:abc").put("agent_id", agent.id())
          .put("completed_at", "2026-12-01T00:00:02Z");
      emit(EventTypes.WORKORDER_COMPLETED, logged);
      emit(EventTypes.WORKORDER_FAILED, logged.copy().put("success", false));

      Map<String, Receiver.Hit> byType = Eventually.value(() -> {
        Map<String, Receiver.Hit> seen = new TreeMap<>();
        receiver.hits().forEach(h -> seen.putIfAbsent(h.json().getString("event_type"), h));
        return seen.keySet().containsAll(EventTypes.ALL) ? seen : null;
      });
      Map<String, Set<String>> fields = Map.ofEntries(
          Map.entry(EventTypes.AGENT_REGISTERED, Set.of("agent_id", "name", "cluster_name", "status", "created_at")),
          Map.entry(EventTypes.AGENT_DEREGISTERED, Set.of("agent_id", "deleted_at")),
          Map.entry(EventTypes.STACK_CREATED, Set.of("stack_id", "name", "description", "created_at")),
          Map.entry(EventTypes.STACK_DELETED, Set.of("stack_id", "deleted_at")),
          Map.entry(EventTypes.DEPLOYMENT_CREATED, Set.of("deployment_object_id", "stack_id", "sequence_id", "created_at")),
          Map.entry(EventTypes.DEPLOYMENT_APPLIED, Set.of("agent_event_id", "agent_id", "deployment_object_id", "stack_id",
              "event_type", "status", "message", "created_at")),
          Map.entry(EventTypes.DEPLOYMENT_FAILED, Set.of("agent_event_id", "agent_id", "deployment_object_id", "stack_id",
              "event_type", "status", "message", "created_at")),
          Map.entry(EventTypes.DEPLOYMENT_DELETED, Set.of("deployment_object_id", "stack_id", "deleted_at")),
          Map.entry(EventTypes.WORKORDER_CREATED, Set.of("work_order_id", "work_type", "status", "created_at")),
          Map.entry(EventTypes.WORKORDER_CLAIMED, Set.of("work_order_id", "work_type", "agent_id", "claimed_at")),
          Map.entry(EventTypes.WORKORDER_COMPLETED, Set.of("work_order_log_id", "work_type", "success", "result_message",
              "agent_id", "completed_at")),
          Map.entry(EventTypes.WORKORDER_FAILED, Set.of("work_order_log_id", "work_type", "success", "result_message",
              "agent_id", "completed_at")));
      for (String type : EventTypes.ALL) {
        Receiver.Hit hit = byType.get(type);
        JsonObject envelope = hit.json();
        assertEquals(List.of("id", "event_type", "timestamp", "data"), List.copyOf(envelope.fieldNames()), type);
        assertEquals(fields.get(type), envelope.getJsonObject("data").fieldNames(), type);
        assertEquals("application/json", hit.headers().get("Content-Type"));
        assertNull(hit.headers().get("webhook-signature"), "unsigned without a secret");
        assertTrue(java.time.OffsetDateTime.parse(envelope.getString("timestamp")).getYear() >= 2026);
        // the envelope id is the event's, and the delivery's event_id
        assertEquals(1, Db.count(broker, "SELECT count(*) FROM event_outbox WHERE id = $1", UUID.fromString(envelope.getString("id"))));
        assertEquals(1, Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE event_id = $1 AND payload = $2",
            UUID.fromString(envelope.getString("id")), hit.body()));
      }
      assertEquals(agent.id(), byType.get(EventTypes.AGENT_REGISTERED).json().getJsonObject("data").getString("agent_id"));
      JsonObject applied = byType.get(EventTypes.DEPLOYMENT_APPLIED).json().getJsonObject("data");
      assertEquals(stack, applied.getString("stack_id"));
      assertEquals("success", applied.getString("status"));
      assertEquals(object, byType.get(EventTypes.DEPLOYMENT_DELETED).json().getJsonObject("data").getString("deployment_object_id"));
      assertEquals(stack, byType.get(EventTypes.DEPLOYMENT_DELETED).json().getJsonObject("data").getString("stack_id"));
      Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE status = 'success' AND subscription_id = $1",
          UUID.fromString(subscriptions.get(0))) >= 12 ? true : null);
    }
  }

  @Test
  void patternsAndFiltersSelectExactlyWhatTheReferenceSelects() {
    try (Receiver receiver = Receiver.answering(receivers, 200)) {
      var gen = fx.generator();
      var agent = fx.agent(List.of(gen.id()));
      var other = fx.agent(List.of(gen.id()));
      // a stack named up front so filters can use its id: create it first, subscribe, then act
      String x = fx.stack(gen);
      String byAgentPrefix = subscribe(receiver.url("/agent-prefix"), new JsonObject().put("event_types", new JsonArray().add("agent.*")));
      String deploymentsOfX = subscribe(receiver.url("/deployments-x"), new JsonObject()
          .put("event_types", new JsonArray().add("deployment.*")).put("filters", new JsonObject().put("stack_id", x)));
      String exact = subscribe(receiver.url("/exact"), new JsonObject().put("event_types", new JsonArray().add("stack.deleted")));
      String ofAgent = subscribe(receiver.url("/of-agent"), new JsonObject().put("filters", new JsonObject().put("agent_id", agent.id())));
      String disabled = subscribe(receiver.url("/disabled"), new JsonObject());
      assertEquals(200, broker.admin().put("/webhooks/" + disabled, new JsonObject().put("enabled", false)).statusCode());
      String both = subscribe(receiver.url("/both"), new JsonObject().put("event_types", new JsonArray().add("deployment.applied"))
          .put("filters", new JsonObject().put("stack_id", x).put("agent_id", other.id())));
      String sentinel = subscribe(receiver.url("/sentinel"), new JsonObject().put("event_types", new JsonArray().add("test.sentinel")));

      String y = fx.stack(gen);
      String objX = fx.deploymentObject(gen, x, Fixtures.configMap("x")).getString("id");
      String objY = fx.deploymentObject(gen, y, Fixtures.configMap("y")).getString("id");
      for (String s : List.of(x, y)) {
        assertEquals(201, broker.admin().post("/agents/" + agent.id() + "/targets",
            new JsonObject().put("agent_id", agent.id()).put("stack_id", s)).statusCode());
      }
      report(agent, objX, "SUCCESS");
      report(agent, objY, "FAILURE");
      assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + y).statusCode());
      var late = fx.agent(List.of(gen.id()));
      // everything before the sentinel is dispatched once the sentinel is (one dispatcher, oldest first)
      emit("test.sentinel", new JsonObject());
      Eventually.value(() -> receiver.hits("/sentinel").isEmpty() ? null : true);

      assertEquals(Set.of("agent.registered:" + late.id()), delivered(byAgentPrefix, "agent_id"));
      assertEquals(Set.of("deployment.created:" + objX, "deployment.applied:" + objX), delivered(deploymentsOfX, "deployment_object_id"));
      assertEquals(Set.of("stack.deleted:" + y), delivered(exact, "stack_id"));
      assertEquals(Set.of("deployment.applied:" + objX, "deployment.failed:" + objY), delivered(ofAgent, "deployment_object_id"));
      assertEquals(Set.of(), delivered(disabled, "id"));
      assertEquals(Set.of(), delivered(both, "id"));
    }
  }

  /** "type:field" of every delivery of a subscription. */
  private static Set<String> delivered(String subscriptionId, String field) {
    Set<String> out = new HashSet<>();
    for (Row r : Db.rows(broker, "SELECT event_type, payload FROM webhook_deliveries WHERE subscription_id = $1",
        UUID.fromString(subscriptionId))) {
      out.add(r.getString(0) + ":" + new JsonObject(r.getString(1)).getJsonObject("data").getString(field));
    }
    return out;
  }

  @Test
  void failuresAreRetriedWithBackoffOrDieAsTheReferenceClassifiesThem() {
    try (Receiver failing = Receiver.answering(receivers, 500); Receiver refusing = Receiver.answering(receivers, 404);
         Receiver flaky = Receiver.answering(receivers, 429)) {
      String exhausted = subscribe(failing.url("/500?token=url-secret-77"), new JsonObject().put("max_retries", 3));
      String gone = subscribe(refusing.url("/404"), new JsonObject());
      String recovers = subscribe(flaky.url("/429"), new JsonObject());
      String down = subscribe("http://127.0.0.1:9/hook?token=url-secret-77", new JsonObject().put("max_retries", 1));
      fx.stack(fx.generator()); // one stack.created event for all four

      // a 429 waits 2 s and is tried again (checked first: its retry comes soon)
      JsonObject waiting = deliveryWhen(recovers, "failed");
      assertNotNull(waiting.getString("next_retry_at"));
      assertEquals("HTTP 429: receiver says 429", waiting.getString("last_error"));
      flaky.answer(200);
      JsonObject ok = deliveryWhen(recovers, "success");
      assertEquals(flaky.hits().size(), ok.getInteger("attempts"));
      assertTrue(ok.getInteger("attempts") >= 2);
      assertNull(ok.getString("last_error"));

      JsonObject dead = deliveryWhen(exhausted, "dead");
      assertEquals(3, dead.getInteger("attempts"));
      assertEquals("HTTP 500: receiver says 500", dead.getString("last_error"));
      assertNotNull(dead.getString("completed_at"));
      List<Receiver.Hit> attempts = failing.hits();
      assertEquals(3, attempts.size());
      assertEquals(1, attempts.stream().map(Receiver.Hit::eventId).distinct().count(), "the same event id on every attempt");
      assertTrue(attempts.get(1).nanos() - attempts.get(0).nanos() >= TimeUnit.MILLISECONDS.toNanos(1900), "2 s before the 2nd");
      assertTrue(attempts.get(2).nanos() - attempts.get(1).nanos() >= TimeUnit.MILLISECONDS.toNanos(3900), "4 s before the 3rd");

      JsonObject refused = deliveryWhen(gone, "dead");
      assertEquals(1, refused.getInteger("attempts"), "a 404 is final");
      assertEquals(1, refusing.hits().size());


      JsonObject unreachable = deliveryWhen(down, "dead");
      assertEquals("Request failed: connection refused", unreachable.getString("last_error"));

      for (String sub : List.of(exhausted, gone, down)) {
        JsonObject audit = Db.row(broker, "SELECT details FROM audit_logs WHERE action = 'webhook.delivery_failed' AND resource_id = $1",
            UUID.fromString(sub)).getJsonObject(0);
        assertEquals(delivery(sub).getString("id"), audit.getString("delivery_id"));
        assertFalse(audit.encode().contains("url-secret"));
      }
      assertEquals(0, Db.count(broker, "SELECT count(*) FROM audit_logs WHERE action = 'webhook.delivery_failed' AND resource_id = $1",
          UUID.fromString(recovers)));
      for (LogCapture.Entry e : logs.entries()) {
        assertFalse(e.message().contains("url-secret") || e.message().contains("127.0.0.1:9"), "URL in log: " + e);
      }
    }
  }

  @Test
  void everyStatusIsClassifiedAsTheReferenceDoes() {
    Map<Integer, Boolean> retryable = new TreeMap<>(Map.of(408, true, 425, true, 429, true, 302, true, 502, true,
        400, false, 401, false, 403, false, 410, false, 422, false));
    Map<Integer, String> subs = new HashMap<>();
    List<Receiver> open = new ArrayList<>();
    try {
      for (int status : retryable.keySet()) {
        Receiver r = Receiver.answering(receivers, status);
        open.add(r);
        subs.put(status, subscribe(r.url("/" + status), new JsonObject()));
      }
      fx.generator();
      fx.stack(fx.generator());
      for (var e : retryable.entrySet()) {
        JsonObject d = Eventually.value(() -> {
          JsonObject x = delivery(subs.get(e.getKey()));
          return x.getInteger("attempts") >= 1 ? x : null;
        });
        assertEquals(e.getValue() ? "failed" : "dead", d.getString("status"), "HTTP " + e.getKey());
        assertTrue(d.getString("last_error").startsWith("HTTP " + e.getKey() + ": "), d.getString("last_error"));
      }
    } finally {
      open.forEach(Receiver::close);
    }
  }

  @Test
  void aHangingReceiverDoesNotDelayAHealthyOne() {
    int events = 60;
    try (Receiver hanging = Receiver.answering(receivers, Receiver.HANG); Receiver healthy = Receiver.answering(receivers, 204)) {
      String stuck = subscribe(hanging.url("/hang"), new JsonObject().put("timeout_seconds", 300));
      subscribe(healthy.url("/ok"), new JsonObject().put("event_types", new JsonArray().add("stack.created")));
      var gen = fx.generator();
      fx.stack(gen);
      Eventually.value(() -> hanging.hits().isEmpty() ? null : true); // the hanging receiver holds a post
      for (int i = 0; i < events; i++) {
        fx.stack(gen);
      }
      Eventually.value(() -> healthy.hits().size() >= events + 1 ? true : null);
      // every one delivered while the hanging receiver still holds its posts, none of them finished
      assertEquals(0, Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND attempts > 0",
          UUID.fromString(stuck)));
      long held = Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'acquired'",
          UUID.fromString(stuck));
      assertTrue(held <= 20, "a subscription holds at most its share of posts: " + held);
      assertTrue(Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'pending'",
          UUID.fromString(stuck)) > 0);
    }
  }

  @Test
  void signedDeliveriesVerifyAndKeepTheirIdAcrossRetries() {
    try (Receiver receiver = Receiver.answering(receivers, 503)) {
      String sub = subscribe(receiver.url("/signed"), new JsonObject().put("signing_secret", SECRET)
          .put("auth_header", "Token abc").put("event_types", new JsonArray().add("stack.created")));
      fx.stack(fx.generator());
      Eventually.value(() -> receiver.hits().isEmpty() ? null : true);
      receiver.answer(200);
      deliveryWhen(sub, "success");
      List<Receiver.Hit> hits = receiver.hits();
      assertEquals(2, hits.size());
      for (Receiver.Hit hit : hits) {
        assertTrue(StandardWebhooks.verify(SECRET, hit.headers().get("webhook-id"), hit.headers().get("webhook-timestamp"),
            hit.headers().get("webhook-signature"), hit.body()), "signature verifies");
        assertEquals(hit.json().getString("id"), hit.headers().get("webhook-id"));
        assertEquals("Token abc", hit.headers().get("Authorization"));
        assertFalse(StandardWebhooks.verify(SECRET, hit.headers().get("webhook-id"), hit.headers().get("webhook-timestamp"),
            hit.headers().get("webhook-signature"), hit.body() + " "), "a changed body does not verify");
        assertFalse(StandardWebhooks.verify("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]),
            hit.headers().get("webhook-id"), hit.headers().get("webhook-timestamp"), hit.headers().get("webhook-signature"),
            hit.body()), "another secret does not verify");
      }
      assertEquals(hits.get(0).headers().get("webhook-id"), hits.get(1).headers().get("webhook-id"));
    }
  }
}
