package org.brokkr.broker.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Addresses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} after known traffic: request counters move by exactly the requests sent, under
 * route templates (never a raw id); database-backed gauges equal what the database holds after a
 * refresh; pool, query, event-bus and cache meters report.
 */
class BrokerMetricsTest {
  private static final String TARGET_STATE = "/api/v1/agents/:id/target-state";
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.metrics_refresh_interval_ms", "200"));
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
    TestDatabase.drop(broker.database);
  }

  static Scrape scrape() {
    var r = broker.anonymous().get("/metrics");
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.getHeader("Content-Type"));
    return Scrape.parse(r.bodyAsString());
  }

  private record Setup(Fixtures.Generator gen, Fixtures.Agent agent, String stack) {}

  private static Setup agentWithOneObject(String label) {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, label);
    fx.labelAgent(agent.id(), label);
    fx.deploymentObject(gen, stack, Fixtures.configMap("one"));
    return new Setup(gen, agent, stack);
  }

  private static int targetState(Fixtures.Agent agent, String agentId) {
    return broker.as(agent.pak()).get("/agents/" + agentId + "/target-state").statusCode();
  }

  @Test
  void requestCountersMoveByExactlyTheRequestsSentUnderRouteTemplates() {
    Setup s = agentWithOneObject("counted");
    Scrape before = scrape();
    for (int i = 0; i < 3; i++) {
      assertEquals(200, targetState(s.agent(), s.agent().id()));
    }
    String stranger = UUID.randomUUID().toString();
    int refused = targetState(s.agent(), stranger);
    assertEquals(401, broker.anonymous().get("/agents").statusCode());
    assertEquals(401, broker.anonymous().get("/agents").statusCode());
    assertEquals(200, broker.anonymous().get("/healthz").statusCode());
    assertEquals(404, broker.anonymous().get("/no/such/" + stranger).statusCode());

    Scrape after = Eventually.value(() -> {
      Scrape now = scrape();
      return delta(before, now, "brokkr_http_requests_total", "endpoint", "unmatched", "method", "GET", "status", "404") >= 1
          ? now : null;
    });
    assertEquals(3, delta(before, after, "brokkr_http_requests_total", "endpoint", TARGET_STATE, "method", "GET", "status", "200"));
    assertEquals(1, delta(before, after, "brokkr_http_requests_total", "endpoint", TARGET_STATE, "method", "GET",
        "status", String.valueOf(refused)));
    assertEquals(4, delta(before, after, "brokkr_http_request_duration_seconds_count", "endpoint", TARGET_STATE, "method", "GET"));
    assertEquals(4, delta(before, after, "brokkr_http_request_duration_seconds_bucket", "endpoint", TARGET_STATE, "method", "GET",
        "le", "+Inf"));
    assertEquals(2, delta(before, after, "brokkr_http_requests_total", "endpoint", "/api/v1/agents", "method", "GET", "status", "401"));
    assertEquals(1, delta(before, after, "brokkr_http_requests_total", "endpoint", "/healthz", "method", "GET", "status", "200"));
    assertEquals(1, delta(before, after, "brokkr_http_requests_total", "endpoint", "unmatched", "method", "GET", "status", "404"));

    // the reference's buckets, and no raw identifier or /metrics itself in any endpoint label
    for (String le : List.of("0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf")) {
      assertTrue(after.samples().containsKey("brokkr_http_request_duration_seconds_bucket{endpoint=\"" + TARGET_STATE
          + "\",method=\"GET\",le=\"" + le + "\"}"), "bucket " + le + " in\n" + after.series("brokkr_http_request_duration_seconds_bucket"));
    }
    for (String series : after.series("brokkr_http_requests_total")) {
      String endpoint = Scrape.labelsOf(series).get("endpoint");
      assertFalse(endpoint.contains(s.agent().id()) || endpoint.contains(stranger) || endpoint.equals("/metrics"), series);
    }
  }

  @Test
  void databaseGaugesEqualTheDatabaseAfterARefresh() {
    Setup one = agentWithOneObject("gauged-1");
    Setup two = agentWithOneObject("gauged-2");
    fx.deploymentObject(two.gen(), two.stack(), Fixtures.configMap("second"));
    assertEquals(200, broker.admin().put("/agents/" + one.agent().id(), new JsonObject().put("status", "ACTIVE")).statusCode());
    assertEquals(204, broker.as(two.agent().pak()).post("/agents/" + two.agent().id() + "/heartbeat", null).statusCode());
    sql("INSERT INTO webhook_subscriptions (name, url_encrypted, event_types) VALUES ('metrics', '\\x00', ARRAY['*'])");
    sql("""
        INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, status, created_at)
        SELECT id, 'agent.created', gen_random_uuid(), '{}', s, now() - interval '90 seconds'
          FROM webhook_subscriptions, unnest(ARRAY['pending', 'pending', 'failed', 'success']) AS s
         WHERE name = 'metrics'""");
    sql("INSERT INTO event_outbox (event_type, payload, created_at) VALUES ('test.old', '{}', now() - interval '120 seconds')");

    long active = count("SELECT count(*) FROM agents WHERE status = 'ACTIVE' AND deleted_at IS NULL");
    long stacks = count("SELECT count(*) FROM stacks WHERE deleted_at IS NULL");
    long objects = count("SELECT count(*) FROM deployment_objects WHERE deleted_at IS NULL");
    long outbox = count("SELECT count(*) FROM event_outbox WHERE dispatched_at IS NULL");
    assertTrue(active >= 1 && objects >= 3 && outbox >= 1, "setup made rows");
    Scrape s = until(now -> now.value("brokkr_stacks_total") == stacks && now.value("brokkr_deployment_objects_total") == objects
        && now.value("brokkr_active_agents") == active && now.value("brokkr_event_outbox_undispatched") == outbox
        && now.value("brokkr_webhook_deliveries_backlog", "status", "pending") == 2,
        "stacks=" + stacks + " objects=" + objects + " active=" + active + " outbox=" + outbox + " pending=2");
    assertEquals(1, s.value("brokkr_webhook_deliveries_backlog", "status", "failed"));
    assertEquals(0, s.value("brokkr_webhook_deliveries_backlog", "status", "acquired"));
    assertTrue(s.value("brokkr_webhook_deliveries_oldest_pending_age_seconds") >= 90, s.series("brokkr_webhook").toString());
    assertTrue(s.value("brokkr_event_outbox_oldest_age_seconds") >= 120);
    double age = s.value("brokkr_agent_heartbeat_age_seconds", "agent_id", two.agent().id(), "agent_name", name(two.agent().id()));
    assertTrue(age >= 0 && age < 60, "heartbeat age " + age + " in " + s.series("brokkr_agent_heartbeat_age_seconds"));
    assertTrue(s.series("brokkr_agent_heartbeat_age_seconds").stream().noneMatch(k -> k.contains(one.agent().id())),
        "an agent that never sent a heartbeat has no age");
  }

  @Test
  void targetStateCacheCountsHitsAndMisses() {
    Setup s = agentWithOneObject("cached");
    Scrape before = scrape();
    assertEquals(200, targetState(s.agent(), s.agent().id()));
    Scrape mid = scrape();
    assertEquals(200, targetState(s.agent(), s.agent().id()));
    Scrape after = scrape();
    assertEquals(1, delta(before, mid, "brokkr_cache_requests_total", "cache", "target_state", "result", "miss"));
    assertEquals(0, delta(before, mid, "brokkr_cache_requests_total", "cache", "target_state", "result", "hit"));
    assertEquals(1, delta(mid, after, "brokkr_cache_requests_total", "cache", "target_state", "result", "hit"));
    assertEquals(0, delta(mid, after, "brokkr_cache_requests_total", "cache", "target_state", "result", "miss"));
    assertTrue(after.value("brokkr_cache_entries", "cache", "target_state") >= 1);
  }

  @Test
  void poolQueryAndEventBusMetersReport() {
    agentWithOneObject("pool");
    Scrape s = scrape();
    assertEquals(8, s.value("brokkr_db_pool_max_connections"), "TestBroker's pool size");
    assertTrue(s.value("brokkr_db_pool_wait_seconds_count") > 0);
    assertTrue(s.value("brokkr_db_pool_usage_seconds_count") > 0);
    assertTrue(s.samples().containsKey("brokkr_db_pool_connections_in_use"));
    assertTrue(s.samples().containsKey("brokkr_db_pool_waiting"));
    List<String> queries = s.series("brokkr_db_query_duration_seconds_count");
    assertTrue(queries.stream().anyMatch(k -> Scrape.labelsOf(k).get("statement").matches("insert_agents_[0-9a-f]{6}")
        && Scrape.labelsOf(k).get("outcome").equals("ok")), queries.toString());
    assertTrue(s.value("brokkr_eventbus_request_duration_seconds_count", "address", Addresses.AGENTS, "outcome", "ok") > 0);
    assertTrue(s.value("brokkr_eventbus_request_duration_seconds_count", "address", Addresses.AUTH_VERIFY, "outcome", "ok") > 0);
    assertEquals(0, s.value("brokkr_default_admin_pak_hash_in_use"));
    assertTrue(s.samples().containsKey("brokkr_default_admin_pak_hash_in_use"));
  }

  /** The first scrape that satisfies {@code wanted}; on giving up, the last scrape's brokkr gauges and what was expected. */
  private static Scrape until(java.util.function.Predicate<Scrape> wanted, String expected) {
    var last = new java.util.concurrent.atomic.AtomicReference<Scrape>();
    try {
      return Eventually.value(() -> {
        Scrape now = scrape();
        last.set(now);
        return wanted.test(now) ? now : null;
      });
    } catch (AssertionError e) {
      String seen = last.get() == null ? "no scrape" : String.join("\n", last.get().text().lines()
          .filter(l -> l.startsWith("brokkr_") && !l.contains("_bucket") && !l.contains("_http_") && !l.contains("_db_")).toList());
      throw new AssertionError("expected " + expected + "; last scrape:\n" + seen, e);
    }
  }

  private static double delta(Scrape before, Scrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  private static String name(String agentId) {
    return broker.admin().get("/agents/" + agentId).bodyAsJsonObject().getString("name");
  }

  private static void sql(String statement) {
    try {
      broker.broker.pool().query(statement).execute().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(statement, e);
    }
  }

  private static long count(String query) {
    try {
      Row row = broker.broker.pool().query(query).execute().await(10, TimeUnit.SECONDS).iterator().next();
      return row.getLong(0);
    } catch (Exception e) {
      throw new IllegalStateException(query, e);
    }
  }
}
