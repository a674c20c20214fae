package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.EventTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The subscription API: wire shapes, the reference's refusals in its order, secrecy, tests posts. */
class WebhooksApiTest {
  private static final String SECRET_URL = "http://127.0.0.1:9/hook?token=url-secret-6c1f";
  private static final String AUTH = "Bearer auth-secret-91be";
  private static final String SIGNING = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static TestBroker broker;
  static Vertx receivers;
  static LogCapture logs;

  @BeforeAll
  static void start() {
    logs = new LogCapture();
    broker = TestBroker.start();
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
    receivers.close().await(10, TimeUnit.SECONDS);
    logs.close();
  }

  private static JsonObject body(String url) {
    return new JsonObject().put("name", "hook-" + UUID.randomUUID()).put("url", url)
        .put("event_types", new JsonArray().add("deployment.*"));
  }

  private static JsonObject create(JsonObject body) {
    HttpResponse<Buffer> r = broker.admin().post("/webhooks", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static void refused(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static long subscriptions() {
    return Db.count(broker, "SELECT count(*) FROM webhook_subscriptions");
  }

  @Test
  void createdSubscriptionShowsNoSecretAndIsStoredEncrypted() {
    JsonObject created = create(body(SECRET_URL).put("auth_header", AUTH).put("signing_secret", SIGNING)
        .put("filters", new JsonObject().put("agent_id", UUID.randomUUID().toString()))
        .put("target_labels", new JsonArray().add("env:prod")).put("max_retries", 3).put("timeout_seconds", 7));
    assertEquals(List.of("id", "name", "has_url", "has_auth_header", "event_types", "filters", "target_labels", "enabled",
        "max_retries", "timeout_seconds", "created_at", "updated_at", "created_by", "has_signing_secret"),
        List.copyOf(created.fieldNames()));
    assertEquals(true, created.getBoolean("has_url"));
    assertEquals(true, created.getBoolean("has_auth_header"));
    assertEquals(true, created.getBoolean("has_signing_secret"));
    assertEquals(true, created.getBoolean("enabled"));
    assertEquals("admin", created.getString("created_by"));
    assertEquals(3, created.getInteger("max_retries"));
    assertEquals(7, created.getInteger("timeout_seconds"));
    assertEquals(new JsonArray().add("env:prod"), created.getJsonArray("target_labels"));
    String id = created.getString("id");
    for (HttpResponse<Buffer> r : List.of(broker.admin().get("/webhooks/" + id), broker.admin().get("/webhooks"))) {
      assertEquals(200, r.statusCode());
      assertFalse(r.bodyAsString().contains("url-secret") || r.bodyAsString().contains("auth-secret")
          || r.bodyAsString().contains("MfKQ9r8"), r.bodyAsString());
    }
    Row row = Db.row(broker, "SELECT url_encrypted, auth_header_encrypted, signing_secret_encrypted FROM webhook_subscriptions WHERE id = $1",
        UUID.fromString(id));
    WebhookCipher cipher = WebhookCipher.of(Optional.of(HexFormat.of().parseHex(TestBroker.WEBHOOK_KEY_HEX)));
    byte[] url = row.getBuffer(0).getBytes();
    assertEquals(0x01, url[0]);
    assertFalse(new String(url, java.nio.charset.StandardCharsets.ISO_8859_1).contains("url-secret"));
    assertEquals(SECRET_URL, cipher.decrypt(url));
    assertEquals(AUTH, cipher.decrypt(row.getBuffer(1).getBytes()));
    assertEquals(SIGNING, cipher.decrypt(row.getBuffer(2).getBytes()));
    JsonObject audit = Db.row(broker, "SELECT details FROM audit_logs WHERE action = 'webhook.created' AND resource_id = $1",
        UUID.fromString(id)).getJsonObject(0);
    assertEquals(created.getString("name"), audit.getString("name"));
    assertEquals(new JsonArray().add("deployment.*"), audit.getJsonArray("event_types"));
    assertNoSecretLogged();
  }

  @Test
  void defaultsAndTheEventTypeList() {
    JsonObject created = create(body("https://hooks.example.com/a"));
    assertEquals(5, created.getInteger("max_retries"));
    assertEquals(30, created.getInteger("timeout_seconds"));
    assertEquals(false, created.getBoolean("has_auth_header"));
    assertEquals(false, created.getBoolean("has_signing_secret"));
    assertFalse(created.containsKey("filters"), "no filters: no field (the reference's clients read a present one as an object)");
    assertNull(created.getValue("target_labels"));
    HttpResponse<Buffer> types = broker.admin().get("/webhooks/event-types");
    assertEquals(200, types.statusCode());
    assertEquals(new JsonArray(EventTypes.ALL), types.bodyAsJsonArray());
    assertEquals(12, types.bodyAsJsonArray().size());
    // newest first
    JsonObject newer = create(body("https://hooks.example.com/b"));
    JsonArray all = broker.admin().get("/webhooks").bodyAsJsonArray();
    assertTrue(all.getJsonObject(0).getString("id").equals(newer.getString("id")));
  }

  @Test
  void removedFieldsAreRefusedNamingTheirReplacement() {
    long before = subscriptions();
    HttpResponse<Buffer> r = broker.admin().post("/webhooks", body(SECRET_URL).put("validate", true));
    refused(r, 422, "unsupported_field");
    assertEquals(new JsonObject().put("field", "validate").put("use_instead", "POST /webhooks/{id}/test"),
        r.bodyAsJsonObject().getJsonObject("details"));
    r = broker.admin().post("/webhooks", body(SECRET_URL).put("validate", null));
    refused(r, 422, "unsupported_field");
    r = broker.admin().post("/webhooks", body(SECRET_URL).put("filters", new JsonObject().put("labels", new JsonObject())));
    refused(r, 422, "unsupported_field");
    assertEquals(new JsonObject().put("field", "filters.labels").put("use_instead", "target_labels"),
        r.bodyAsJsonObject().getJsonObject("details"));
    String id = create(body(SECRET_URL)).getString("id");
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("filters", new JsonObject().putNull("labels"))),
        422, "unsupported_field");
    // validate never existed on updates: an ignored key there
    assertEquals(200, broker.admin().put("/webhooks/" + id, new JsonObject().put("validate", true)).statusCode());
    assertEquals(before + 1, subscriptions());
  }

  @Test
  void badBodiesAreRefusedWithTheReferencesCodesAndStoreNothing() {
    long before = subscriptions();
    JsonObject ok = body("https://hooks.example.com/x");
    // shape: 422 invalid_request_body
    for (JsonObject bad : List.of(ok.copy().putNull("url"), copyWithout(ok, "url"), copyWithout(ok, "name"),
        copyWithout(ok, "event_types"), ok.copy().put("name", 5), ok.copy().put("max_retries", "5"),
        ok.copy().put("max_retries", 1.5), ok.copy().put("event_types", new JsonArray().add(3)),
        ok.copy().put("filters", new JsonObject().put("agent_id", "not-a-uuid")), ok.copy().put("filters", "x"),
        ok.copy().put("target_labels", "env"), ok.copy().put("auth_header", 12))) {
      refused(broker.admin().post("/webhooks", bad), 422, "invalid_request_body");
    }
    // the URL
    refused(broker.admin().post("/webhooks", ok.copy().put("url", "   ")), 400, "url_required");
    refused(broker.admin().post("/webhooks", ok.copy().put("url", "ftp://hooks.example.com")), 400, "invalid_url_scheme");
    refused(broker.admin().post("/webhooks", ok.copy().put("url", "HTTPS://hooks.example.com")), 400, "invalid_url_scheme");
    refused(broker.admin().post("/webhooks", ok.copy().put("url", "http://")), 400, "invalid_url");
    refused(broker.admin().post("/webhooks", ok.copy().put("url", "http://a b/")), 400, "invalid_url");
    // the model
    for (JsonObject bad : List.of(ok.copy().put("name", "  "), ok.copy().put("name", "n".repeat(256)),
        ok.copy().put("event_types", new JsonArray()), ok.copy().put("event_types", new JsonArray().add(" ")),
        ok.copy().put("auth_header", "Bearer x\r\nX-Injected: 1"), ok.copy().put("target_labels", new JsonArray().add("a b")),
        ok.copy().put("target_labels", new JsonArray().add("")), ok.copy().put("signing_secret", "plain-secret"))) {
      refused(broker.admin().post("/webhooks", bad), 400, "invalid_webhook");
    }
    // ranges: 422 invalid_webhook
    for (JsonObject bad : List.of(ok.copy().put("max_retries", 11), ok.copy().put("max_retries", -1),
        ok.copy().put("timeout_seconds", 0), ok.copy().put("timeout_seconds", 301))) {
      refused(broker.admin().post("/webhooks", bad), 422, "invalid_webhook");
    }
    assertEquals(before, subscriptions(), "nothing stored from a refused body");
    for (JsonObject edge : List.of(ok.copy().put("max_retries", 0), ok.copy().put("max_retries", 10),
        ok.copy().put("timeout_seconds", 1), ok.copy().put("timeout_seconds", 300), ok.copy().put("name", "n".repeat(255)))) {
      create(edge);
    }
  }

  @Test
  void updatesChangeOnlyWhatIsSentAndNullClears() {
    JsonObject created = create(body(SECRET_URL).put("auth_header", AUTH).put("signing_secret", SIGNING)
        .put("filters", new JsonObject().put("stack_id", UUID.randomUUID().toString()))
        .put("target_labels", new JsonArray().add("a")));
    String id = created.getString("id");
    HttpResponse<Buffer> r = broker.admin().put("/webhooks/" + id, new JsonObject().put("enabled", false).putNull("name"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject updated = r.bodyAsJsonObject();
    assertEquals(false, updated.getBoolean("enabled"));
    assertEquals(created.getString("name"), updated.getString("name"), "null keeps the name");
    assertEquals(created.getJsonObject("filters"), updated.getJsonObject("filters"));
    assertEquals(true, updated.getBoolean("has_auth_header"));
    updated = broker.admin().put("/webhooks/" + id, new JsonObject().putNull("auth_header").putNull("filters")
        .putNull("target_labels").putNull("signing_secret").put("event_types", new JsonArray().add("*"))
        .put("max_retries", 2).put("timeout_seconds", 9)).bodyAsJsonObject();
    assertEquals(false, updated.getBoolean("has_auth_header"));
    assertEquals(false, updated.getBoolean("has_signing_secret"));
    assertNull(updated.getValue("filters"));
    assertNull(updated.getValue("target_labels"));
    assertEquals(new JsonArray().add("*"), updated.getJsonArray("event_types"));
    assertEquals(2, updated.getInteger("max_retries"));
    assertEquals(9, updated.getInteger("timeout_seconds"));
    // refusals as on creation, and nothing changed by them
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("url", "ftp://x")), 400, "invalid_url_scheme");
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("url", "")), 400, "url_required");
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("name", " ")), 400, "invalid_webhook");
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("event_types", new JsonArray())), 400, "invalid_webhook");
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("timeout_seconds", 0)), 422, "invalid_webhook");
    refused(broker.admin().put("/webhooks/" + id, new JsonObject().put("enabled", "yes")), 422, "invalid_request_body");
    assertEquals(updated.getString("updated_at"), broker.admin().get("/webhooks/" + id).bodyAsJsonObject().getString("updated_at"));
    refused(broker.admin().put("/webhooks/" + UUID.randomUUID(), new JsonObject().put("enabled", true)), 404, "webhook_not_found");
    JsonObject audit = Db.row(broker, """
        SELECT details FROM audit_logs WHERE action = 'webhook.updated' AND resource_id = $1
         ORDER BY timestamp DESC LIMIT 1""", UUID.fromString(id)).getJsonObject(0);
    assertEquals(false, audit.getBoolean("enabled"));
  }

  @Test
  void deleteTakesTheDeliveriesAlong() {
    String id = create(body(SECRET_URL)).getString("id");
    Db.exec(broker, """
        INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, status)
        VALUES ($1, 'stack.created', gen_random_uuid(), '{}', 'success')""", UUID.fromString(id));
    assertEquals(204, broker.admin().delete("/webhooks/" + id).statusCode());
    refused(broker.admin().delete("/webhooks/" + id), 404, "webhook_not_found");
    refused(broker.admin().get("/webhooks/" + id), 404, "webhook_not_found");
    refused(broker.admin().get("/webhooks/" + id + "/deliveries"), 404, "webhook_not_found");
    assertEquals(0, Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1", UUID.fromString(id)));
    assertEquals(1, Db.count(broker, "SELECT count(*) FROM audit_logs WHERE action = 'webhook.deleted' AND resource_id = $1",
        UUID.fromString(id)));
  }

  @Test
  void deliveriesArePagedNewestFirstAndFilteredByStatus() {
    UUID id = UUID.fromString(create(body(SECRET_URL)).getString("id"));
    for (int i = 0; i < 7; i++) {
      Db.exec(broker, """
          INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, status, created_at)
          VALUES ($1, 'stack.created', gen_random_uuid(), $2, $3, now() - make_interval(secs => $4))""",
          id, "{\"n\":" + i + "}", i % 2 == 0 ? "dead" : "success", 100 - i);
    }
    JsonArray page = broker.admin().get("/webhooks/" + id + "/deliveries?limit=3&offset=1").bodyAsJsonArray();
    assertEquals(3, page.size());
    assertEquals("{\"n\":5}", page.getJsonObject(0).getString("payload"));
    assertEquals(List.of("id", "subscription_id", "event_type", "event_id", "payload", "target_labels", "status", "acquired_by",
        "acquired_until", "attempts", "last_attempt_at", "next_retry_at", "last_error", "created_at", "completed_at"),
        List.copyOf(page.getJsonObject(0).fieldNames()));
    assertEquals(4, broker.admin().get("/webhooks/" + id + "/deliveries?status=dead").bodyAsJsonArray().size());
    assertEquals(7, broker.admin().get("/webhooks/" + id + "/deliveries").bodyAsJsonArray().size());
    assertEquals(0, broker.admin().get("/webhooks/" + id + "/deliveries?status=nonsense").bodyAsJsonArray().size());
    refused(broker.admin().get("/webhooks/" + id + "/deliveries?limit=-1"), 400, "invalid_query_parameter");
    refused(broker.admin().get("/webhooks/" + id + "/deliveries?offset=-5"), 400, "invalid_query_parameter");
    assertEquals(400, broker.admin().get("/webhooks/" + id + "/deliveries?limit=ten").statusCode());
  }

  @Test
  void testPostsSignedAndAuthenticatedAndRecordsNothing() {
    try (Receiver ok = Receiver.answering(receivers, 202); Receiver failing = Receiver.answering(receivers, 503)) {
      JsonObject created = create(body(ok.url("/ok")).put("auth_header", AUTH).put("signing_secret", SIGNING));
      HttpResponse<Buffer> r = broker.admin().post("/webhooks/" + created.getString("id") + "/test", null);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(new JsonObject().put("success", true).put("status_code", 202).put("message", "Test delivery successful"),
          r.bodyAsJsonObject());
      Receiver.Hit hit = ok.hits().get(0);
      JsonObject event = hit.json();
      assertEquals("webhook.test", event.getString("event_type"));
      assertEquals(new JsonObject().put("message", "This is a test webhook delivery from Brokkr")
          .put("subscription_id", created.getString("id")), event.getJsonObject("data"));
      assertEquals(AUTH, hit.headers().get("Authorization"));
      assertEquals("application/json", hit.headers().get("Content-Type"));
      assertEquals(event.getString("id"), hit.headers().get("webhook-id"));
      assertEquals(WebhookSignature.headers(WebhookSignature.keyOf(SIGNING), event.getString("id"),
          Long.parseLong(hit.headers().get("webhook-timestamp")), hit.body()).get("webhook-signature"),
          hit.headers().get("webhook-signature"));
      assertEquals(0, Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1",
          UUID.fromString(created.getString("id"))));

      String failingId = create(body(failing.url("/fail"))).getString("id");
      r = broker.admin().post("/webhooks/" + failingId + "/test", null);
      refused(r, 400, "webhook_test_failed");
      assertEquals(new JsonObject().put("status_code", 503).put("body", "receiver says 503"),
          r.bodyAsJsonObject().getJsonObject("details"));

      String downId = create(body(SECRET_URL)).getString("id");
      r = broker.admin().post("/webhooks/" + downId + "/test", null);
      refused(r, 400, "webhook_test_failed");
      assertFalse(r.bodyAsString().contains("127.0.0.1") || r.bodyAsString().contains("url-secret"), r.bodyAsString());
      refused(broker.admin().post("/webhooks/" + UUID.randomUUID() + "/test", null), 404, "webhook_not_found");
    }
    assertNoSecretLogged();
  }

  @Test
  void withoutAKeyTheBrokerRunsButRefusesToStoreWebhooks() {
    var db = TestDatabase.fresh();
    TestBroker keyless = TestBroker.start(db, Map.of("broker.webhook_encryption_key", ""));
    try {
      HttpResponse<Buffer> r = keyless.admin().post("/webhooks", body("https://hooks.example.com/x"));
      refused(r, 503, "webhook_encryption_key_missing");
      assertTrue(r.bodyAsJsonObject().getString("message").contains("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY"));
      refused(keyless.admin().post("/webhooks", body("ftp://x")), 400, "invalid_url_scheme");
      assertEquals(200, keyless.admin().get("/webhooks").statusCode());
      assertEquals(0, Db.count(keyless, "SELECT count(*) FROM webhook_subscriptions"));
      // an agent polling for its deliveries (as Brokkr's agents do every 10 s) gets an empty list, not an error
      var agent = new org.brokkr.broker.testing.Fixtures(keyless).agent(java.util.List.of());
      HttpResponse<Buffer> pending = keyless.as(agent.pak()).get("/agents/" + agent.id() + "/webhooks/pending");
      assertEquals(200, pending.statusCode(), pending.bodyAsString());
      assertEquals(new io.vertx.core.json.JsonArray(), pending.bodyAsJsonArray());
    } finally {
      keyless.close();
      TestDatabase.drop(db);
    }
  }

  private static JsonObject copyWithout(JsonObject o, String key) {
    JsonObject copy = o.copy();
    copy.remove(key);
    return copy;
  }

  private static void assertNoSecretLogged() {
    for (LogCapture.Entry e : logs.entries()) {
      String m = e.message();
      assertFalse(m.contains("url-secret") || m.contains("auth-secret") || m.contains("MfKQ9r8") || m.contains("127.0.0.1:9/"),
          "secret in log: " + e);
    }
  }
}
