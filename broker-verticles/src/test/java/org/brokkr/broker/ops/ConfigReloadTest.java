package org.brokkr.broker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.db.DatabaseTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload: {@code POST /admin/config/reload} and the config-file watcher apply the runtime
 * settings (here CORS, whose effect a client can see), name the ones that need a restart, refuse
 * an invalid file without changing anything, are audited, and reach the other replica.
 */
class ConfigReloadTest {
  private static final String FIRST = """
      [cors]
      allowed_origins = ["http://a.example"]
      max_age_seconds = 600

      [broker]
      webhook_delivery_batch_size = 50
      """;
  private static final String SECOND = """
      [cors]
      allowed_origins = ["http://b.example", "http://c.example"]
      max_age_seconds = 60

      [broker]
      webhook_delivery_batch_size = 10
      diagnostic_cleanup_interval_seconds = 30
      auth_cache_ttl_seconds = 5
      """;

  @TempDir
  Path dir;
  private DatabaseTarget db;
  private TestBroker one;
  private TestBroker two;

  @AfterEach
  void stop() {
    if (two != null) {
      two.close();
    }
    if (one != null) {
      one.close();
    }
    if (db != null) {
      TestDatabase.drop(db);
    }
  }

  private TestBroker broker(Path file, boolean watch) {
    return broker(file, watch, Map.of());
  }

  private TestBroker broker(Path file, boolean watch, Map<String, String> extra) {
    if (db == null) {
      db = TestDatabase.fresh();
    }
    return TestBroker.start(db, extra, Map.of("BROKKR_CONFIG_FILE", file.toString(),
        "BROKKR_CONFIG_WATCHER_ENABLED", Boolean.toString(watch), "BROKKR_CONFIG_WATCHER_DEBOUNCE_SECONDS", "1"));
  }

  private Path file(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  private static HttpResponse<Buffer> reload(TestBroker b) {
    return b.admin().post("/admin/config/reload", null);
  }

  /** A browser's preflight for a PUT from {@code origin}, without any PAK. */
  private static HttpResponse<Buffer> preflight(TestBroker b, String path, String origin) throws Exception {
    return b.client.request(HttpMethod.OPTIONS, path).putHeader("Origin", origin)
        .putHeader("Access-Control-Request-Method", "PUT")
        .putHeader("Access-Control-Request-Headers", "authorization,content-type")
        .send().await(30, TimeUnit.SECONDS);
  }

  private static boolean allows(TestBroker b, String origin) throws Exception {
    return origin.equals(preflight(b, "/api/v1/agents", origin).getHeader("Access-Control-Allow-Origin"));
  }

  @Test
  void aReloadAppliesTheRuntimeSettingsNamesTheRestartOnesAndIsAudited() throws Exception {
    Path f = file("broker.toml", FIRST);
    one = broker(f, false);
    assertTrue(allows(one, "http://a.example"));
    assertTrue(!allows(one, "http://b.example"), "an origin not configured gets no allow header");

    HttpResponse<Buffer> unchanged = reload(one);
    assertEquals(200, unchanged.statusCode(), unchanged.bodyAsString());
    JsonObject same = unchanged.bodyAsJsonObject();
    assertEquals(new JsonArray(), same.getJsonArray("changes"));
    assertEquals("No changes detected", same.getString("message"));
    assertEquals(true, same.getBoolean("success"));
    assertTrue(same.getString("reloaded_at").endsWith("Z"), same.encode());

    Files.writeString(f, SECOND);
    HttpResponse<Buffer> r = reload(one);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(new JsonArray()
        .add(change("broker.diagnostic_cleanup_interval_seconds", "900", "30"))
        .add(change("broker.webhook_delivery_batch_size", "50", "10"))
        .add(change("cors.allowed_origins", "[\"http://a.example\"]", "[\"http://b.example\", \"http://c.example\"]"))
        .add(change("cors.max_age_seconds", "600", "60")), body.getJsonArray("changes"));
    assertEquals("4 setting(s) updated", body.getString("message"));
    assertEquals(new JsonArray().add("broker.auth_cache_ttl_seconds"), body.getJsonArray("restart_required"),
        "a key read only at startup is named, never silently ignored");

    // the new CORS rules are in force at once (the reference reports them but keeps the old layer)
    HttpResponse<Buffer> pre = preflight(one, "/api/v1/agents", "http://c.example");
    assertEquals(200, pre.statusCode());
    assertEquals("http://c.example", pre.getHeader("Access-Control-Allow-Origin"));
    assertEquals("60", pre.getHeader("Access-Control-Max-Age"));
    assertEquals("GET,POST,PUT,DELETE,OPTIONS", pre.getHeader("Access-Control-Allow-Methods"));
    assertEquals("Authorization,Content-Type", pre.getHeader("Access-Control-Allow-Headers"));
    assertTrue(!allows(one, "http://a.example"), "the old origin is no longer allowed");

    JsonObject audit = one.admin().get("/admin/audit-logs?action=config.reloaded").bodyAsJsonObject();
    JsonArray entries = audit.getJsonArray("logs");
    assertEquals(2, entries.size(), audit.encode());
    JsonObject latest = entries.getJsonObject(0);
    assertEquals("admin", latest.getString("actor_type"));
    assertEquals(body.getJsonArray("changes"), latest.getJsonObject("details").getJsonArray("changes"));
  }

  @Test
  void anInvalidFileIsRefusedAndChangesNothing() throws Exception {
    Path f = file("broker.toml", FIRST);
    one = broker(f, false);
    Files.writeString(f, FIRST.replace("webhook_delivery_batch_size = 50", "webhook_delivery_batch_size = \"lots\""));
    HttpResponse<Buffer> bad = reload(one);
    assertEquals(500, bad.statusCode(), bad.bodyAsString());
    assertEquals("internal_error", bad.bodyAsJsonObject().getString("code"));
    assertTrue(bad.bodyAsJsonObject().getString("message").contains("BROKKR__BROKER__WEBHOOK_DELIVERY_BATCH_SIZE"),
        bad.bodyAsString());
    Files.writeString(f, "[cors\nallowed_origins = 1");
    assertEquals(500, reload(one).statusCode(), "a file that is not TOML is refused too");
    assertTrue(allows(one, "http://a.example"), "the running settings stay");

    Files.writeString(f, SECOND);
    HttpResponse<Buffer> good = reload(one);
    assertEquals(200, good.statusCode(), good.bodyAsString());
    assertEquals(4, good.bodyAsJsonObject().getJsonArray("changes").size(), "compared with what ran, not the refused file");
  }

  @Test
  void aReloadOnOneReplicaReachesTheOther() throws Exception {
    Path shared = file("broker.toml", FIRST);
    one = broker(shared, false);
    // the second replica shares the first one's admin
    two = broker(shared, false, Map.of("broker.pak_hash",
        org.brokkr.codecs.Pak.hashOfPresented(one.adminPak).orElseThrow()));
    assertTrue(allows(two, "http://a.example"));
    Files.writeString(shared, SECOND);
    assertEquals(200, reload(one).statusCode());
    Eventually.value(() -> allows(two, "http://b.example") ? true : null);
    assertTrue(!allows(two, "http://a.example"));
    JsonArray audit = two.as(one.adminPak).get("/admin/audit-logs?action=config.reloaded").bodyAsJsonObject().getJsonArray("logs");
    assertEquals(1, audit.size(), "audited once, by the replica that was asked");
  }

  @Test
  void theFileWatcherOfEveryReplicaReloadsAChangedFile() throws Exception {
    Path f = file("broker.toml", FIRST);
    one = broker(f, true);
    two = broker(f, true, Map.of("broker.pak_hash", org.brokkr.codecs.Pak.hashOfPresented(one.adminPak).orElseThrow()));
    assertTrue(!allows(one, "http://b.example"));
    // as a ConfigMap volume does: the new content appears under the same name at once
    Path next = file("broker.toml.next", SECOND);
    Files.move(next, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Eventually.value(() -> allows(one, "http://b.example") ? true : null);
    Eventually.value(() -> allows(two, "http://b.example") ? true : null);
    assertEquals(0, one.admin().get("/admin/audit-logs?action=config.reloaded").bodyAsJsonObject().getJsonArray("logs").size(),
        "a file reload has no API caller to audit");
  }

  @Test
  void theDefaultsAllowTheConsoleOriginAndTheProbesAllowAnyOrigin() throws Exception {
    one = TestBroker.start();
    try {
      assertTrue(allows(one, "http://localhost:3001"));
      HttpResponse<Buffer> refused = preflight(one, "/api/v1/agents", "http://evil.example");
      assertEquals(200, refused.statusCode());
      assertNull(refused.getHeader("Access-Control-Allow-Origin"));
      assertNull(refused.getHeader("Access-Control-Allow-Methods"));
      HttpResponse<Buffer> probe = preflight(one, "/healthz", "http://evil.example");
      assertEquals("*", probe.getHeader("Access-Control-Allow-Origin"));
      assertEquals("PUT", probe.getHeader("Access-Control-Allow-Methods"));
      WebClient client = one.client;
      HttpResponse<Buffer> metrics = client.get("/metrics").putHeader("Origin", "http://evil.example")
          .send().await(30, TimeUnit.SECONDS);
      assertEquals("*", metrics.getHeader("Access-Control-Allow-Origin"));
      // a cross-origin API call still needs its PAK: CORS only decides what the browser may read
      HttpResponse<Buffer> anonymous = client.get("/api/v1/agents").putHeader("Origin", "http://localhost:3001")
          .send().await(30, TimeUnit.SECONDS);
      assertEquals(401, anonymous.statusCode());
      assertEquals("http://localhost:3001", anonymous.getHeader("Access-Control-Allow-Origin"));
    } finally {
      one.close();
      one = null;
    }
  }

  private static JsonObject change(String key, String before, String after) {
    return new JsonObject().put("key", key).put("old_value", before).put("new_value", after);
  }
}
