package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One log line per request, in text and in JSON: method, route template, status, duration, bytes,
 * caller and request id; {@code X-Request-Id} echoed when sane, minted otherwise. PAKs sent in
 * headers, query strings or as a request id, and URLs with secrets, never reach the log.
 */
class RequestLogTest {
  private static final Pattern TEXT_LINE = Pattern.compile("request method=(GET|POST|PUT|DELETE) path=\\S+ status=\\d{3} "
      + "duration_ms=\\d+\\.\\d{3} bytes=\\d+ caller_type=(anonymous|admin|agent|generator) caller_id=\\S+ request_id=\\S+");
  private static final String SECRET_URL = "https://hooks.example.invalid/services/T000/B000/s3cr3t-w3bh00k-t0k3n";
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static HttpResponse<Buffer> get(TestBroker on, String uri, Map<String, String> headers) {
    var req = on.client.get(uri);
    headers.forEach(req::putHeader);
    try {
      return req.send().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<LogCapture.Entry> requestLines(LogCapture logs, String requestId) {
    return logs.entries().stream()
        .filter(e -> e.logger().equals(RequestLog.class.getName()) && e.message().endsWith("request_id=" + requestId))
        .toList();
  }

  @Test
  void oneLinePerRequestWithTheRouteTemplateCallerAndRequestId() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    try (LogCapture logs = new LogCapture()) {
      var r = get(broker, "/api/v1/agents/" + agent.id() + "/target-state",
          Map.of("Authorization", "Bearer " + agent.pak(), "X-Request-Id", "poll-42.a:b/c"));
      assertEquals(200, r.statusCode());
      assertEquals("poll-42.a:b/c", r.getHeader("X-Request-Id"), "a sane request id is echoed");
      List<LogCapture.Entry> lines = Eventually.value(() -> requestLines(logs, "poll-42.a:b/c").isEmpty()
          ? null : requestLines(logs, "poll-42.a:b/c"));
      assertEquals(1, lines.size(), lines.toString());
      LogCapture.Entry line = lines.get(0);
      assertEquals("INFO", line.level());
      assertTrue(TEXT_LINE.matcher(line.message()).matches(), line.message());
      assertTrue(line.message().startsWith("request method=GET path=/api/v1/agents/:id/target-state status=200 "), line.message());
      assertTrue(line.message().contains(" caller_type=agent caller_id=" + agent.id() + " "), line.message());
      assertTrue(line.message().contains(" bytes=" + r.body().length() + " "), line.message());
    }
  }

  @Test
  void aTargetStateAnsweredFromTheCacheIsLoggedLikeAnyOther() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    try (LogCapture logs = new LogCapture()) {
      for (String id : List.of("cold-1", "hot-2")) {
        assertEquals(200, get(broker, "/api/v1/agents/" + agent.id() + "/target-state",
            Map.of("Authorization", "Bearer " + agent.pak(), "X-Request-Id", id)).statusCode());
      }
      for (String id : List.of("cold-1", "hot-2")) {
        LogCapture.Entry line = Eventually.value(() -> requestLines(logs, id).isEmpty() ? null : requestLines(logs, id).get(0));
        assertTrue(line.message().startsWith("request method=GET path=/api/v1/agents/:id/target-state status=200 "), line.message());
        assertTrue(line.message().contains(" caller_type=agent caller_id=" + agent.id() + " "), line.message());
      }
    }
  }

  @Test
  void anInsaneOrPakShapedRequestIdIsReplaced() {
    var agent = fx.agent(List.of(fx.generator().id()));
    for (String offered : List.of("x".repeat(129), "has space", "tab\there", "caf\u00e9", agent.pak(), "Bearer " + agent.pak(),
        broker.adminPak.substring(0, 20))) {
      var r = get(broker, "/healthz", Map.of("X-Request-Id", offered));
      String given = r.getHeader("X-Request-Id");
      assertNotEquals(offered, given, "replaced: " + offered);
      assertTrue(given.matches("[0-9a-f]{16}"), given);
    }
    String minted = get(broker, "/healthz", Map.of()).getHeader("X-Request-Id");
    assertTrue(minted.matches("[0-9a-f]{16}"), "minted when absent: " + minted);
    assertEquals("x".repeat(128), get(broker, "/healthz", Map.of("X-Request-Id", "x".repeat(128))).getHeader("X-Request-Id"));
  }

  @Test
  void noPakSecretOrWebhookUrlReachesTheLog() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    List<String> secrets = List.of(broker.adminPak, gen.pak(), agent.pak(), "s3cr3t-w3bh00k-t0k3n");
    // at debug too (the default level): refused requests are logged there
    Logger ours = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("org.brokkr");
    ch.qos.logback.classic.Level level = ours.getLevel();
    ours.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try (LogCapture logs = new LogCapture()) {
      String q = "?pak=" + agent.pak() + "&url=" + SECRET_URL + "&token=" + broker.adminPak;
      get(broker, "/api/v1/agents/" + agent.id() + "/target-state" + q, Map.of("Authorization", "Bearer " + agent.pak()));
      get(broker, "/api/v1/agents" + q, Map.of("Authorization", broker.adminPak));
      get(broker, "/api/v1/agents" + q, Map.of("Authorization", "Bearer " + agent.pak()));
      get(broker, "/api/v1/stacks" + q, Map.of("Authorization", "Bearer " + gen.pak(), "X-Request-Id", gen.pak()));
      get(broker, "/api/v1/agents", Map.of("Authorization", "Bearer " + agent.pak().substring(0, agent.pak().length() - 2) + "zz"));
      get(broker, "/no/such/path/" + broker.adminPak + q, Map.of("X-Webhook-Url", SECRET_URL, "Cookie", "pak=" + gen.pak()));
      get(broker, "/swagger-ui/" + q, Map.of("Authorization", "Bearer " + agent.pak()));
      broker.as(gen.pak()).post("/stacks" + q, new JsonObject().put("name", SECRET_URL).put("generator_id", gen.id()));

      List<LogCapture.Entry> lines = Eventually.value(() -> {
        var found = logs.entries().stream().filter(e -> e.logger().equals(RequestLog.class.getName())).toList();
        return found.size() >= 8 ? found : null;
      });
      for (LogCapture.Entry line : lines) {
        assertTrue(TEXT_LINE.matcher(line.message()).matches(), line.message());
      }
      assertTrue(lines.stream().anyMatch(l -> l.message().contains("path=unmatched status=404")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.message().contains("path=/api/v1/agents status=403")
          && l.message().contains("caller_type=agent")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.message().contains("path=/api/v1/agents status=401 ")
          && l.message().contains("caller_type=anonymous")), lines.toString());
      for (LogCapture.Entry e : logs.entries()) {
        for (String secret : secrets) {
          assertFalse(e.message().contains(secret), "a secret in the log: " + e);
        }
        assertFalse(e.message().contains("hooks.example.invalid"), "a webhook URL in the log: " + e);
      }
      assertTrue(logs.entries().stream().anyMatch(e -> e.level().equals("DEBUG")), "debug entries were captured");
    } finally {
      ours.setLevel(level);
    }
  }

  @Test
  void jsonFormatCarriesTheSameFieldsAsKeyValues() throws Exception {
    List<JsonObject> lines = new CopyOnWriteArrayList<>();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(ctx);
    encoder.start();
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        lines.add(new JsonObject(new String(encoder.encode(event), StandardCharsets.UTF_8)));
      }
    };
    appender.setContext(ctx);
    appender.start();
    Logger logger = ctx.getLogger(RequestLog.class);
    logger.addAppender(appender);
    TestBroker json = TestBroker.start(TestDatabase.fresh(), Map.of("log.format", "json"));
    try {
      String agents = "/api/v1/agents?pak=" + json.adminPak;
      var r = get(json, agents, Map.of("Authorization", "Bearer " + json.adminPak, "X-Request-Id", "json-1"));
      assertEquals(200, r.statusCode());
      JsonObject line = Eventually.value(() -> lines.stream()
          .filter(l -> kv(l).getString("request_id", "").equals("json-1")).findFirst().orElse(null));
      assertEquals("request", line.getString("message"));
      assertEquals("INFO", line.getString("level"));
      JsonObject kv = kv(line);
      assertEquals("GET", kv.getString("method"));
      assertEquals("/api/v1/agents", kv.getString("path"));
      assertEquals("200", kv.getValue("status").toString());
      assertEquals("admin", kv.getString("caller_type"));
      assertEquals(String.valueOf(r.body().length()), kv.getValue("bytes").toString());
      assertTrue(Double.parseDouble(kv.getValue("duration_ms").toString()) > 0);
      assertFalse(line.encode().contains(json.adminPak), line.encode());
    } finally {
      json.close();
      TestDatabase.drop(json.database);
      logger.detachAppender(appender);
      appender.stop();
    }
  }

  /** Logback writes key-value pairs as a list of one-entry objects. */
  private static JsonObject kv(JsonObject line) {
    JsonObject out = new JsonObject();
    JsonArray list = line.getJsonArray("kvpList", new JsonArray());
    List<Object> pairs = new ArrayList<>(list.getList());
    for (Object p : pairs) {
      if (p instanceof Map<?, ?> m) {
        m.forEach((k, v) -> out.put(k.toString(), v));
      } else if (p instanceof JsonObject o) {
        out.mergeIn(o);
      }
    }
    return out;
  }
}
