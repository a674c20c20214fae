package org.brokkr.broker.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.brokkr.broker.telemetry.TelemetryEvictionVerticle;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Telemetry over the agent live channel: what is stored, what is dropped, what history answers, what eviction removes. */
class TelemetryTest {
  static final String HINT =
      "Brokkr retains telemetry for at most 6 hours. For long-term log centralisation, ship to Datadog or equivalent.";
  static TestBroker a;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    fx = new Fixtures(a);
  }

  @AfterAll
  static void stop() {
    a.close();
  }

  /** An agent, its generator, and a stack targeted at it. */
  record Given(Fixtures.Generator gen, Fixtures.Agent agent, String stack) {}

  static Given given(Fixtures fx, TestBroker broker) {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    target(broker, agent.id(), stack);
    return new Given(gen, agent, stack);
  }

  static void target(TestBroker broker, String agentId, String stack) {
    var r = broker.admin().post("/agents/" + agentId + "/targets", new JsonObject().put("agent_id", agentId).put("stack_id", stack));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  static JsonObject k8sEvent(String agentId, String stack, String reason) {
    return new JsonObject().put("agent_id", agentId).put("stack_id", stack).put("observed_at", "2026-01-01T00:00:00Z")
        .put("reason", reason).put("message", "Successfully pulled image").put("event_type", "Normal").put("source", "kubelet")
        .put("involved_object", new JsonObject().put("api_version", "v1").put("kind", "Pod").put("namespace", "demo")
            .put("name", "demo-abc").put("uid", "99999999-9999-9999-9999-999999999999"));
  }

  static JsonObject logLine(String agentId, String stack, String line) {
    return new JsonObject().put("agent_id", agentId).put("stack_id", stack).put("namespace", "demo").put("pod", "demo-abc")
        .put("container", "app").put("ts", "2026-01-01T00:00:01.5Z").put("line", line);
  }

  static JsonObject logGap(String agentId, String stack) {
    return new JsonObject().put("agent_id", agentId).put("stack_id", stack).put("since_ts", "2026-01-01T00:00:00Z")
        .put("dropped_count", 42).put("reason", "rate_limit");
  }

  private static JsonObject history(String pak, String stack, String kind, String query) {
    var r = a.as(pak).get("/stacks/" + stack + "/" + kind + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonArray rows(String stack, String kind, int atLeast) {
    return Eventually.value(() -> {
      JsonArray rows = history(a.adminPak, stack, kind, "").getJsonArray(kind.equals("events") ? "events" : "lines");
      return rows.size() >= atLeast ? rows : null;
    });
  }

  private static long metric(String result) {
    String text = a.anonymous().get("/metrics").bodyAsString();
    Matcher m = Pattern.compile("brokkr_ws_telemetry_frames_total\\{result=\"" + result + "\"} ([0-9.E]+)").matcher(text);
    return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
  }

  private static long count(String table, String stack) {
    return count(a, table, stack);
  }

  static long count(TestBroker a, String table, String stack) {
    try {
      return a.broker.pool().preparedQuery("SELECT count(*) FROM " + table + " WHERE stack_id = $1")
          .execute(Tuple.of(UUID.fromString(stack))).await(30, TimeUnit.SECONDS).iterator().next().getLong(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void insertAged(String table, Given g, String ageSql, String marker) {
    String sql = table.equals("agent_k8s_events")
        ? "INSERT INTO agent_k8s_events (agent_id, stack_id, observed_at, reason, message, event_type, involved_object, created_at)"
            + " VALUES ($1, $2, now(), $3, 'm', 'Normal', '{}'::jsonb, now() - " + ageSql + ")"
        : "INSERT INTO agent_pod_logs (agent_id, stack_id, namespace, pod, container, ts, line, created_at)"
            + " VALUES ($1, $2, 'ns', 'p', 'c', now(), $3, now() - " + ageSql + ")";
    try {
      a.broker.pool().preparedQuery(sql).execute(Tuple.of(UUID.fromString(g.agent().id()), UUID.fromString(g.stack()), marker))
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void eventsAndLogLinesAreStoredAndReadBackWithTheirRetention() {
    Given g = given(fx, a);
    try (AgentSocket s = AgentSocket.connect(a, g.agent().pak())) {
      s.send("k8s_event", k8sEvent(g.agent().id(), g.stack(), "Pulled"));
      s.send("pod_log_line", logLine(g.agent().id(), g.stack(), "starting up"));
      s.send("log_gap", logGap(g.agent().id(), g.stack()));
      JsonObject event = rows(g.stack(), "events", 1).getJsonObject(0);
      assertEquals(g.agent().id(), event.getString("agent_id"));
      assertEquals(g.stack(), event.getString("stack_id"));
      assertEquals("2026-01-01T00:00:00Z", event.getString("observed_at"));
      assertEquals("Pulled", event.getString("reason"));
      assertEquals("Successfully pulled image", event.getString("message"));
      assertEquals("Normal", event.getString("event_type"));
      assertEquals("kubelet", event.getString("source"));
      assertEquals(k8sEvent(g.agent().id(), g.stack(), "x").getJsonObject("involved_object"), event.getJsonObject("involved_object"));
      assertEquals(List.of("id", "agent_id", "stack_id", "observed_at", "reason", "message", "event_type", "source",
          "involved_object", "created_at"), List.copyOf(event.fieldNames()));
      JsonObject line = rows(g.stack(), "logs", 1).getJsonObject(0);
      assertEquals("starting up", line.getString("line"));
      assertEquals("2026-01-01T00:00:01.5Z", line.getString("ts"));
      assertEquals(List.of("id", "agent_id", "stack_id", "namespace", "pod", "container", "ts", "line", "created_at"),
          List.copyOf(line.fieldNames()));
      JsonObject retention = history(g.gen().pak(), g.stack(), "logs", "").getJsonObject("retention");
      assertEquals(new JsonObject().put("retention_ceiling_seconds", 21600).put("effective_retention_seconds", 21600)
          .put("oldest_available_ts", line.getString("created_at")).put("long_term_sink_hint", HINT), retention);
      assertFalse(s.socket.isClosed());
    }
  }

  @Test
  void framesForAnotherAgentOrAStackNotGivenAreDroppedAndCountedAndTheSocketStays() {
    Given g = given(fx, a);
    Given other = given(fx, a);
    String ungiven = fx.stack(g.gen());
    long wrongAgent = metric("wrong_agent");
    long notGiven = metric("stack_not_given");
    long malformed = metric("malformed");
    try (AgentSocket s = AgentSocket.connect(a, g.agent().pak())) {
      s.send("k8s_event", k8sEvent(other.agent().id(), g.stack(), "not-mine"));
      s.send("pod_log_line", logLine(g.agent().id(), ungiven, "not my stack"));
      s.send("pod_log_line", new JsonObject().put("agent_id", g.agent().id()).put("stack_id", g.stack()));
      s.send("{\"type\":\"pod_log_line\"");
      s.send("pod_log_line", logLine(g.agent().id(), g.stack(), "mine"));
      assertEquals("mine", rows(g.stack(), "logs", 1).getJsonObject(0).getString("line"));
      assertEquals(wrongAgent + 1, metric("wrong_agent"));
      assertEquals(notGiven + 1, metric("stack_not_given"));
      assertEquals(malformed + 2, metric("malformed"));
      assertEquals(0, count("agent_k8s_events", g.stack()));
      assertEquals(1, count("agent_pod_logs", g.stack()));
      assertEquals(0, count("agent_pod_logs", ungiven));
      // once the stack is given to the agent, its frames are taken
      target(a, g.agent().id(), ungiven);
      Eventually.value(() -> {
        s.send("pod_log_line", logLine(g.agent().id(), ungiven, "now given"));
        return count("agent_pod_logs", ungiven) > 0 ? true : null;
      });
      assertFalse(s.socket.isClosed());
    }
  }

  @Test
  void textPostgresqlCannotHoldIsStoredReplacedNotRefused() {
    Given g = given(fx, a);
    try (AgentSocket s = AgentSocket.connect(a, g.agent().pak())) {
      s.send("pod_log_line", logLine(g.agent().id(), g.stack(), "nul\u0000byte"));
      s.send("k8s_event", k8sEvent(g.agent().id(), g.stack(), "r\u0000").put("involved_object",
          new JsonObject().put("api_version", "v1").put("kind", "Pod").put("name", "n\u0000")));
      assertEquals("nul\uFFFDbyte", rows(g.stack(), "logs", 1).getJsonObject(0).getString("line"));
      assertEquals("n\uFFFD", rows(g.stack(), "events", 1).getJsonObject(0).getJsonObject("involved_object").getString("name"));
    }
  }

  @Test
  void historyClampsSinceAndLimitAndOrdersNewestFirst() {
    Given g = given(fx, a);
    insertAged("agent_pod_logs", g, "interval '7 hours'", "too-old");
    insertAged("agent_pod_logs", g, "interval '3 hours'", "three-hours");
    insertAged("agent_pod_logs", g, "interval '1 hour'", "one-hour");
    insertAged("agent_pod_logs", g, "interval '1 minute'", "recent");
    insertAged("agent_k8s_events", g, "interval '2 hours'", "two-hours");
    JsonArray all = history(a.adminPak, g.stack(), "logs", "").getJsonArray("lines");
    assertEquals(List.of("recent", "one-hour", "three-hours"), all.stream().map(o -> ((JsonObject) o).getString("line")).toList());
    JsonObject clampedSince = history(a.adminPak, g.stack(), "logs", "?since=2000-01-01T00:00:00Z");
    assertEquals(3, clampedSince.getJsonArray("lines").size());
    String twoHoursAgo = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).minusHours(2).toString();
    JsonObject recent = history(a.adminPak, g.stack(), "logs", "?since=" + twoHoursAgo.replace("+", "%2B"));
    assertEquals(2, recent.getJsonArray("lines").size());
    assertEquals(recent.getJsonArray("lines").getJsonObject(1).getString("created_at"),
        recent.getJsonObject("retention").getString("oldest_available_ts"));
    assertEquals(1, history(a.adminPak, g.stack(), "logs", "?limit=1").getJsonArray("lines").size());
    assertEquals(1, history(a.adminPak, g.stack(), "logs", "?limit=0").getJsonArray("lines").size());
    assertEquals(1, history(a.adminPak, g.stack(), "logs", "?limit=-5").getJsonArray("lines").size());
    assertEquals(3, history(a.adminPak, g.stack(), "logs", "?limit=999999").getJsonArray("lines").size());
    assertEquals("two-hours", history(g.gen().pak(), g.stack(), "events", "").getJsonArray("events").getJsonObject(0)
        .getString("reason"));
    JsonObject none = history(a.adminPak, g.stack(), "events", "?since=" + java.time.Instant.now().plusSeconds(60));
    assertTrue(none.getJsonArray("events").isEmpty());
    assertTrue(none.getJsonObject("retention").containsKey("oldest_available_ts"));
    assertNull(none.getJsonObject("retention").getValue("oldest_available_ts"));
  }

  @Test
  void historyRefusesBadInputUnknownStacksAndOtherCallers() {
    Given g = given(fx, a);
    for (String query : new String[] {"?since=yesterday", "?limit=many", "?limit=1.5"}) {
      var r = a.admin().get("/stacks/" + g.stack() + "/events" + query);
      assertEquals(400, r.statusCode(), query + " " + r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().containsKey("code"), r.bodyAsString());
    }
    var missing = a.admin().get("/stacks/" + UUID.randomUUID() + "/logs");
    assertEquals(404, missing.statusCode());
    assertEquals("stack_not_found", missing.bodyAsJsonObject().getString("code"));
    var otherGen = a.as(fx.generator().pak()).get("/stacks/" + g.stack() + "/logs");
    assertEquals(403, otherGen.statusCode());
    assertEquals("stack_not_owned", otherGen.bodyAsJsonObject().getString("code"));
    assertEquals(403, a.as(g.agent().pak()).get("/stacks/" + g.stack() + "/events").statusCode());
    assertEquals(401, a.anonymous().get("/stacks/" + g.stack() + "/events").statusCode());
  }

  @Test
  void evictionRemovesRowsPastTheRetentionAndKeepsTheRest() throws Exception {
    Given g = given(fx, a);
    insertAged("agent_pod_logs", g, "interval '7 hours'", "old");
    insertAged("agent_k8s_events", g, "interval '6 hours 1 minute'", "old");
    insertAged("agent_pod_logs", g, "interval '5 hours'", "kept");
    insertAged("agent_k8s_events", g, "interval '1 minute'", "kept");
    // a retention above the ceiling is the ceiling
    new TelemetryEvictionVerticle(a.broker.pool(), 60, 24 * 3600).runOnce().await(30, TimeUnit.SECONDS);
    assertEquals(1, count("agent_pod_logs", g.stack()));
    assertEquals(1, count("agent_k8s_events", g.stack()));
    // a lower one is honoured
    new TelemetryEvictionVerticle(a.broker.pool(), 60, 3600).runOnce().await(30, TimeUnit.SECONDS);
    assertEquals(0, count("agent_pod_logs", g.stack()));
    assertEquals(1, count("agent_k8s_events", g.stack()));
  }
}
