package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deliveries agents post: claims by target labels, reports only by the holder, the state machine. */
class AgentWebhooksApiTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static TestBroker broker;
  static Fixtures fx;
  static Vertx receivers;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.webhook_delivery_interval_seconds", "1"));
    fx = new Fixtures(broker);
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    receivers.close().await(10, TimeUnit.SECONDS);
  }

  private static String subscribe(String url, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", "hook-" + UUID.randomUUID()).put("url", url)
        .put("event_types", new JsonArray().add("stack.created")).mergeIn(extra);
    var r = broker.admin().post("/webhooks", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static JsonArray poll(Fixtures.Agent agent) {
    HttpResponse<Buffer> r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/webhooks/pending");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray();
  }

  private static HttpResponse<Buffer> report(String pak, String deliveryId, JsonObject result) {
    return broker.as(pak).post("/webhook-deliveries/" + deliveryId + "/result", result);
  }

  private static void refused(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static JsonObject stored(String deliveryId) {
    return org.brokkr.broker.support.Rows.json(Db.row(broker, "SELECT * FROM webhook_deliveries WHERE id = $1",
        UUID.fromString(deliveryId)));
  }

  /** Waits until every subscription has its delivery of the latest stack.created. */
  private static void waitForDeliveries(int subscriptions, long before) {
    Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM webhook_deliveries") >= before + subscriptions ? true : null);
  }

  @Test
  void agentsClaimWhatTheirLabelsSatisfyAndOnlyTheHolderReports() {
    var gen = fx.generator();
    var both = fx.agent(List.of(gen.id()));
    var prodOnly = fx.agent(List.of(gen.id()));
    fx.labelAgent(both.id(), "env:prod");
    fx.labelAgent(both.id(), "region:eu");
    fx.labelAgent(prodOnly.id(), "env:prod");
    try (Receiver agentSide = Receiver.answering(receivers, 204); Receiver brokerSide = Receiver.answering(receivers, 204)) {
      String euUrl = agentSide.url("/eu?token=agent-url-secret");
      String eu = subscribe(euUrl, new JsonObject().put("target_labels", new JsonArray().add("env:prod").add("region:eu"))
          .put("auth_header", "Bearer agent-auth").put("signing_secret", SECRET).put("timeout_seconds", 45).put("max_retries", 2));
      String prod = subscribe(agentSide.url("/prod"), new JsonObject().put("target_labels", new JsonArray().add("env:prod")));
      String none = subscribe(brokerSide.url("/none"), new JsonObject());
      String empty = subscribe(brokerSide.url("/empty"), new JsonObject().put("target_labels", new JsonArray()));
      long before = Db.count(broker, "SELECT count(*) FROM webhook_deliveries");
      fx.stack(gen);
      waitForDeliveries(4, before);

      JsonArray forProdOnly = poll(prodOnly);
      assertEquals(1, forProdOnly.size(), forProdOnly.encode());
      assertEquals(prod, forProdOnly.getJsonObject(0).getString("subscription_id"));
      JsonArray forBoth = poll(both);
      assertEquals(1, forBoth.size(), forBoth.encode());
      JsonObject mine = forBoth.getJsonObject(0);
      assertEquals(List.of("id", "subscription_id", "event_type", "payload", "url", "auth_header", "timeout_seconds",
          "max_retries", "attempts", "signature_headers"), List.copyOf(mine.fieldNames()));
      assertEquals(eu, mine.getString("subscription_id"));
      assertEquals(euUrl, mine.getString("url"));
      assertEquals("Bearer agent-auth", mine.getString("auth_header"));
      assertEquals(45, mine.getInteger("timeout_seconds"));
      assertEquals(2, mine.getInteger("max_retries"));
      assertEquals(0, mine.getInteger("attempts"));
      assertEquals("stack.created", new JsonObject(mine.getString("payload")).getString("event_type"));
      JsonObject sig = mine.getJsonObject("signature_headers");
      assertTrue(StandardWebhooks.verify(SECRET, sig.getString("webhook-id"), sig.getString("webhook-timestamp"),
          sig.getString("webhook-signature"), mine.getString("payload")));
      assertEquals(0, poll(both).size(), "claimed deliveries are not handed out twice");

      JsonObject held = stored(mine.getString("id"));
      assertEquals("acquired", held.getString("status"));
      assertEquals(both.id(), held.getString("acquired_by"));
      assertTrue(OffsetDateTime.parse(held.getString("acquired_until")).isAfter(OffsetDateTime.now().plusSeconds(70)),
          "a claim outlives the subscription's timeout by 30 s");

      // the broker posts the deliveries without target labels (an empty list included), never the others
      Eventually.value(() -> brokerSide.hits().size() >= 2 ? true : null);
      assertEquals(0, agentSide.hits().size());

      // only the holder reports
      refused(report(prodOnly.pak(), mine.getString("id"), new JsonObject().put("success", true)), 403, "delivery_not_acquired_by_agent");
      refused(report(broker.adminPak, mine.getString("id"), new JsonObject().put("success", true)), 403, "agent_pak_required");
      refused(report(gen.pak(), mine.getString("id"), new JsonObject().put("success", true)), 403, "agent_pak_required");
      refused(report(both.pak(), UUID.randomUUID().toString(), new JsonObject().put("success", true)), 404, "delivery_not_found");
      // refused bodies change nothing
      refused(report(both.pak(), mine.getString("id"), new JsonObject()), 422, "invalid_request_body");
      refused(report(both.pak(), mine.getString("id"), new JsonObject().put("success", "yes")), 422, "invalid_request_body");
      refused(report(both.pak(), mine.getString("id"), new JsonObject().put("success", false).put("status_code", 700)),
          400, "invalid_delivery_result");
      refused(report(both.pak(), mine.getString("id"), new JsonObject().put("success", false).put("duration_ms", -1)),
          400, "invalid_delivery_result");
      assertEquals(held, stored(mine.getString("id")));

      // a retryable failure; the agent's text loses the URL
      HttpResponse<Buffer> r = report(both.pak(), mine.getString("id"), new JsonObject().put("success", false)
          .put("status_code", 503).put("error", "POST " + euUrl + " said busy").put("duration_ms", 12));
      assertEquals(200, r.statusCode(), r.bodyAsString());
      JsonObject failed = r.bodyAsJsonObject();
      assertEquals("failed", failed.getString("status"));
      assertEquals(1, failed.getInteger("attempts"));
      assertNotNull(failed.getString("next_retry_at"));
      String lastError = stored(mine.getString("id")).getString("last_error");
      assertEquals("HTTP 503: POST [webhook url] said busy", lastError);
      refused(report(both.pak(), mine.getString("id"), new JsonObject().put("success", true)), 403, "delivery_not_acquired_by_agent");

      // the retry comes back to an agent; a 404 then is final, and audited
      JsonArray again = Eventually.value(() -> {
        JsonArray p = poll(both);
        return p.isEmpty() ? null : p;
      });
      assertEquals(mine.getString("id"), again.getJsonObject(0).getString("id"));
      assertEquals(1, again.getJsonObject(0).getInteger("attempts"));
      JsonObject dead = report(both.pak(), mine.getString("id"), new JsonObject().put("success", false).put("status_code", 404))
          .bodyAsJsonObject();
      assertEquals("dead", dead.getString("status"));
      assertEquals(2, dead.getInteger("attempts"));
      assertNull(dead.getValue("next_retry_at"));
      assertEquals("HTTP 404", stored(mine.getString("id")).getString("last_error"));
      JsonObject audit = Db.row(broker, "SELECT details FROM audit_logs WHERE action = 'webhook.delivery_failed' AND resource_id = $1",
          UUID.fromString(eu)).getJsonObject(0);
      assertEquals(both.id(), audit.getString("delivered_by_agent"));
      assertEquals(404, audit.getInteger("status_code"));
      assertEquals(false, audit.getBoolean("retryable"));

      // success
      String prodDelivery = forProdOnly.getJsonObject(0).getString("id");
      r = report(prodOnly.pak(), prodDelivery, new JsonObject().put("success", true).put("status_code", 200));
      assertEquals(new JsonObject().put("status", "success").put("delivery_id", prodDelivery), r.bodyAsJsonObject());
      JsonObject done = stored(prodDelivery);
      assertEquals("success", done.getString("status"));
      assertEquals(1, done.getInteger("attempts"));
      assertNotNull(done.getString("completed_at"));
      assertFalse(none.isEmpty() || empty.isEmpty());
    }
  }

  @Test
  void aReportWithoutStatusIsRetryableAndAnEmptyOneSaysUnknown() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "site:b");
    subscribe("https://hooks.example.com/b", new JsonObject().put("target_labels", new JsonArray().add("site:b")));
    long before = Db.count(broker, "SELECT count(*) FROM webhook_deliveries");
    fx.stack(gen);
    waitForDeliveries(1, before);
    String id = poll(agent).getJsonObject(0).getString("id");
    JsonObject r = report(agent.pak(), id, new JsonObject().put("success", false)).bodyAsJsonObject();
    assertEquals("failed", r.getString("status"));
    assertEquals("Unknown error", stored(id).getString("last_error"));
  }

  @Test
  void whoMayPoll() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var other = fx.agent(List.of(gen.id()));
    refused(broker.as(other.pak()).get("/agents/" + agent.id() + "/webhooks/pending"), 403, "agent_pak_mismatch");
    assertEquals(200, broker.admin().get("/agents/" + agent.id() + "/webhooks/pending").statusCode());
    refused(broker.admin().get("/agents/" + UUID.randomUUID() + "/webhooks/pending"), 404, "agent_not_found");
    assertEquals(204, broker.admin().delete("/agents/" + other.id()).statusCode());
    refused(broker.admin().get("/agents/" + other.id() + "/webhooks/pending"), 404, "agent_not_found");
  }
}
