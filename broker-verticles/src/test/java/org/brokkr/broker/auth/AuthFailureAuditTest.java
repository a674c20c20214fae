package org.brokkr.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.Test;

/**
 * Refused authentications are audited without amplifying writes: one {@code auth.failed} row per
 * client address per minute carrying a {@code count}, header-derived fields bounded to 256
 * characters, and a client address taken from X-Forwarded-For only behind a trusted proxy.
 */
class AuthFailureAuditTest {

  @Test
  void manyBadPaksFromOneClientBecomeOneCountedRow() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      int requests = 500;
      List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        sent.add(broker.client.post(broker.broker.port(), "localhost", "/api/v1/auth/pak")
            .putHeader("Authorization", "Bearer " + Pak.mint(Pak.Format.DEFAULT).pak()).send());
      }
      for (Future<HttpResponse<Buffer>> f : sent) {
        assertEquals(401, f.await(60, TimeUnit.SECONDS).statusCode());
      }
      List<Row> rows = Eventually.value(() -> {
        List<Row> now = authFailedRows(broker);
        return countSum(now) == requests ? now : null;
      });
      assertTrue(rows.size() <= 2, "one row per minute window (two when the burst crossed a minute): " + rows.size());
      for (Row row : rows) {
        JsonObject details = (JsonObject) row.getValue("details");
        assertEquals("invalid_pak", details.getString("reason"));
        assertEquals("/api/v1/auth/pak", details.getString("path"));
        assertEquals("127.0.0.1", row.getString("ip_address"));
        assertEquals("system", row.getString("actor_type"));
      }
    }
  }

  @Test
  void twoReplicasAddToTheSameRow() throws Exception {
    var db = TestDatabase.fresh();
    try (TestBroker a = TestBroker.start(db, Map.of()); TestBroker b = TestBroker.start(db, Map.of())) {
      for (int i = 0; i < 40; i++) {
        TestBroker target = i % 2 == 0 ? a : b;
        assertEquals(401, target.as(Pak.mint(Pak.Format.DEFAULT).pak()).get("/agents").statusCode());
      }
      List<Row> rows = Eventually.value(() -> {
        List<Row> now = authFailedRows(a);
        return countSum(now) == 40 ? now : null;
      });
      assertTrue(rows.size() <= 2, "replicas share the window's row: " + rows.size());
    } finally {
      TestDatabase.drop(db);
    }
  }

  @Test
  void storedHeaderFieldsAreBoundedAndForwardedForIsIgnoredFromAnUntrustedPeer() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      String longPath = "/api/v1/agents/" + "x".repeat(3000);
      var r = send(broker, longPath, Map.of("Authorization", "Bearer " + Pak.mint(Pak.Format.DEFAULT).pak(),
          "User-Agent", "ua-" + "y".repeat(7000), "X-Forwarded-For", "203.0.113.7"));
      assertEquals(401, r.statusCode());
      Row row = Eventually.value(() -> authFailedRows(broker).stream().findFirst().orElse(null));
      assertEquals(256, row.getString("user_agent").length());
      assertEquals(256, ((JsonObject) row.getValue("details")).getString("path").length());
      assertEquals("127.0.0.1", row.getString("ip_address"), "X-Forwarded-For is not trusted by default");
    }
  }

  @Test
  void behindATrustedProxyTheFirstUntrustedHopIsTheClient() throws Exception {
    var db = TestDatabase.fresh();
    try (TestBroker broker = TestBroker.start(db, Map.of("broker.trusted_proxies", "127.0.0.1/32, 10.0.0.0/8"))) {
      badPak(broker, "198.51.100.23, 10.1.2.3");
      badPak(broker, "not-an-address, 203.0.113.5");
      badPak(broker, "10.9.9.9");
      Map<String, Long> byClient = Eventually.value(() -> {
        Map<String, Long> seen = new java.util.TreeMap<>();
        for (Row row : authFailedRows(broker)) {
          seen.merge(String.valueOf(row.getString("ip_address")), ((JsonObject) row.getValue("details")).getLong("count"), Long::sum);
        }
        return seen.size() == 3 ? seen : null;
      });
      assertEquals(Map.of("198.51.100.23", 1L, "203.0.113.5", 1L, "10.9.9.9", 1L), byClient,
          "the rightmost untrusted hop; a chain of trusted proxies names its first hop");
    } finally {
      TestDatabase.drop(db);
    }
  }

  @Test
  void aRequestWithoutAnAuthorizationHeaderIsNotAudited() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      assertEquals(401, send(broker, "/api/v1/agents", Map.of()).statusCode());
      badPak(broker, null);
      Eventually.value(() -> authFailedRows(broker).isEmpty() ? null : true);
      List<Row> rows = authFailedRows(broker);
      assertEquals(1, rows.size());
      assertEquals(1L, ((JsonObject) rows.get(0).getValue("details")).getLong("count"), "only the request with a PAK counted");
      assertNull(rows.get(0).getValue("actor_id"));
    }
  }

  private static void badPak(TestBroker broker, String forwardedFor) {
    Map<String, String> headers = new java.util.HashMap<>(Map.of("Authorization", "Bearer " + Pak.mint(Pak.Format.DEFAULT).pak()));
    if (forwardedFor != null) {
      headers.put("X-Forwarded-For", forwardedFor);
    }
    assertEquals(401, send(broker, "/api/v1/generators", headers).statusCode());
  }

  private static HttpResponse<Buffer> send(TestBroker broker, String path, Map<String, String> headers) {
    WebClient client = WebClient.create(broker.vertx, new WebClientOptions().setUserAgentEnabled(false));
    try {
      var req = client.request(HttpMethod.GET, broker.broker.port(), "localhost", path);
      req.putHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
      return req.send().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      client.close();
    }
  }

  private static List<Row> authFailedRows(TestBroker broker) throws Exception {
    List<Row> out = new ArrayList<>();
    broker.broker.pool().query("SELECT * FROM audit_logs WHERE action = 'auth.failed' ORDER BY timestamp").execute()
        .await(10, TimeUnit.SECONDS).forEach(out::add);
    return out;
  }

  private static long countSum(List<Row> rows) {
    return rows.stream().mapToLong(r -> ((JsonObject) r.getValue("details")).getLong("count")).sum();
  }
}
