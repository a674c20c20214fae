package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.BrokerMain;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 for events: a change acknowledged with a 2xx survives {@code kill -9} of the broker
 * (a child JVM here), with its audit row and its event, and the event is still delivered once a
 * broker runs again, whatever point of the pipeline the kill interrupted (not dispatched yet,
 * dispatched, or posted to a receiver that had not answered).
 */
class CrashSafetyTest {
  static Vertx vertx;
  static WebClient client;
  static DatabaseTarget db;
  static Pak.Minted admin;

  @BeforeAll
  static void start() {
    vertx = TestVertx.create();
    client = WebClient.create(vertx);
    db = TestDatabase.fresh();
    admin = Pak.mint(Pak.Format.DEFAULT);
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
    TestDatabase.drop(db);
  }

  /** A broker JVM of its own (the test classpath, BrokerMain), ready to serve. */
  private static Process broker(int port, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), BrokerMain.class.getName());
    pb.environment().putAll(Map.of(
        "BROKKR__DATABASE__URL", TestDatabase.url(db),
        "BROKKR__BROKER__PORT", String.valueOf(port),
        "BROKKR__BROKER__HOST", "127.0.0.1",
        "BROKKR__BROKER__PAK_HASH", admin.hash(),
        "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY", TestBroker.WEBHOOK_KEY_HEX,
        "BROKKR__BROKER__WEBHOOK_DELIVERY_INTERVAL_SECONDS", "1",
        "BROKKR__BROKER__WEBHOOK_CLAIM_TTL_SECONDS", "5",
        "BROKKR__LOG__LEVEL", "info"));
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    Eventually.value(() -> {
      if (!p.isAlive()) {
        throw new AssertionError("broker exited: " + Files.readString(log));
      }
      return call(port, HttpMethod.GET, "/readyz", null).statusCode() == 200 ? true : null;
    });
    return p;
  }

  private static HttpResponse<Buffer> call(int port, HttpMethod method, String path, JsonObject body) throws Exception {
    var req = client.request(method, port, "127.0.0.1", path).putHeader("Authorization", "Bearer " + admin.pak());
    return (body == null ? req.send() : req.sendJsonObject(body)).await(30, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void anAcknowledgedChangeIsDeliveredAfterKillNine() throws Exception {
    Path log = Files.createTempFile(new File("target").toPath(), "crash-broker-", ".log");
    int port = freePort();
    try (Receiver receiver = Receiver.answering(vertx, Receiver.HANG)) {
      Process first = broker(port, log);
      try {
        HttpResponse<Buffer> sub = call(port, HttpMethod.POST, "/api/v1/webhooks", new JsonObject().put("name", "crash")
            .put("url", receiver.url("/crash")).put("event_types", new JsonArray().add("stack.created")).put("timeout_seconds", 1));
        assertEquals(201, sub.statusCode(), sub.bodyAsString());
        String gen = call(port, HttpMethod.POST, "/api/v1/generators", new JsonObject().put("name", "g-" + UUID.randomUUID()))
            .bodyAsJsonObject().getJsonObject("generator").getString("id");
        HttpResponse<Buffer> created = call(port, HttpMethod.POST, "/api/v1/stacks",
            new JsonObject().put("name", "survivor").put("generator_id", gen));
        first.destroyForcibly(); // SIGKILL, right after the 2xx
        assertEquals(201, created.statusCode(), created.bodyAsString());
        first.waitFor(30, TimeUnit.SECONDS);
        String stack = created.bodyAsJsonObject().getString("id");

        receiver.answer(204);
        Process second = broker(port, log);
        try {
          assertEquals(200, call(port, HttpMethod.GET, "/api/v1/stacks/" + stack, null).statusCode(), "the change survived");
          JsonObject audit = call(port, HttpMethod.GET, "/api/v1/admin/audit-logs?action=stack.created&resource_id=" + stack, null)
              .bodyAsJsonObject();
          assertEquals(1, audit.getInteger("total"), "its audit row survived");
          Receiver.Hit hit = Eventually.value(() -> receiver.hits().stream()
              .filter(h -> stack.equals(h.json().getJsonObject("data").getString("stack_id"))).findFirst().orElse(null));
          assertEquals("stack.created", hit.json().getString("event_type"));
          // and the delivery is recorded as done
          String subId = sub.bodyAsJsonObject().getString("id");
          JsonArray deliveries = Eventually.value(() -> {
            JsonArray d = call(port, HttpMethod.GET, "/api/v1/webhooks/" + subId + "/deliveries?status=success", null).bodyAsJsonArray();
            return d.isEmpty() ? null : d;
          });
          assertEquals(1, deliveries.size());
          assertEquals(hit.eventId(), deliveries.getJsonObject(0).getString("event_id"));
          assertTrue(receiver.hits().stream().allMatch(h -> h.eventId().equals(hit.eventId())), "only that event was posted");
        } finally {
          second.destroy();
          second.waitFor(30, TimeUnit.SECONDS);
        }
      } finally {
        first.destroyForcibly();
      }
    }
  }
}
