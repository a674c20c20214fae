package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The retention sweeps (run every second here) delete exactly what is past its retention. */
class RetentionSweepsTest {
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of(
        "broker.webhook_cleanup_interval_seconds", "1",
        "broker.audit_cleanup_interval_seconds", "1",
        "broker.agent_events_cleanup_interval_seconds", "1",
        "broker.event_outbox_cleanup_interval_seconds", "1"));
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
    TestDatabase.drop(broker.database);
  }

  private static UUID insert(String sql, Object... args) {
    return Db.row(broker, sql + " RETURNING id", args).getUUID(0);
  }

  @Test
  void finishedDeliveriesGoAfterSevenDays() {
    String sub = broker.admin().post("/webhooks", new JsonObject().put("name", "r").put("url", "https://hooks.example.com/r")
        .put("event_types", new io.vertx.core.json.JsonArray().add("none.*"))).bodyAsJsonObject().getString("id");
    String sql = """
        INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, status, next_retry_at, created_at)
        VALUES ($1, 'stack.created', gen_random_uuid(), '{}', $2, now() + interval '1 hour', now() - make_interval(days => $3))""";
    UUID sid = UUID.fromString(sub);
    insert(sql, sid, "success", 8);
    insert(sql, sid, "dead", 8);
    UUID failed = insert(sql, sid, "failed", 8);
    UUID recent = insert(sql, sid, "success", 6);
    Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1", sid) == 2 ? true : null);
    assertEquals(Set.of(failed, recent), ids("SELECT id FROM webhook_deliveries WHERE subscription_id = $1", sid));
  }

  @Test
  void auditRowsGoAfterNinetyDays() {
    String sql = """
        INSERT INTO audit_logs (actor_type, action, resource_type, timestamp, created_at)
        VALUES ('system', $1, 'test', now() - make_interval(days => $2), now() - make_interval(days => $2))""";
    String action = "retention." + UUID.randomUUID();
    insert(sql, action, 91);
    UUID kept = insert(sql, action, 89);
    Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM audit_logs WHERE action = $1", action) == 1 ? true : null);
    assertEquals(Set.of(kept), ids("SELECT id FROM audit_logs WHERE action = $1", action));
  }

  @Test
  void dispatchedOutboxRowsGoAfterADayAndUndispatchedOnesStay() {
    String sql = """
        INSERT INTO event_outbox (event_type, payload, created_at, dispatched_at)
        VALUES ('retention.test', '{}', now() - make_interval(hours => $1), now() - make_interval(hours => $1))""";
    UUID old = insert(sql, 25);
    UUID recent = insert(sql, 23);
    Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM event_outbox WHERE id = $1", old) == 0 ? true : null);
    assertEquals(1, Db.count(broker, "SELECT count(*) FROM event_outbox WHERE id = $1", recent));
  }

  @Test
  void agentEventsGoAfterThirtyDaysButTheTargetStatesOwnStay() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    UUID a = UUID.fromString(fx.deploymentObject(gen, stack, Fixtures.configMap("a")).getString("id"));
    UUID b = UUID.fromString(fx.deploymentObject(gen, stack, Fixtures.configMap("b")).getString("id"));
    UUID agentId = UUID.fromString(agent.id());
    String sql = """
        INSERT INTO agent_events (agent_id, deployment_object_id, event_type, status, created_at, deleted_at)
        VALUES ($1, $2, 'DEPLOY', $3, now() - make_interval(days => $4), CASE WHEN $5 THEN now() END)""";
    UUID oldFailure = insert(sql, agentId, a, "FAILURE", 50, false);
    UUID olderSuccess = insert(sql, agentId, a, "SUCCESS", 45, false);
    UUID newestSuccessOfA = insert(sql, agentId, a, "SUCCESS", 40, false);
    UUID newestOfA = insert(sql, agentId, a, "FAILURE", 35, false);
    UUID oldFailureOfB = insert(sql, agentId, b, "FAILURE", 40, false);
    UUID recentOfB = insert(sql, agentId, b, "SUCCESS", 10, false);
    UUID deletedOld = insert(sql, agentId, b, "SUCCESS", 40, true);
    Eventually.value(() -> Db.count(broker, "SELECT count(*) FROM agent_events WHERE agent_id = $1", agentId) == 3 ? true : null);
    assertEquals(Set.of(newestSuccessOfA, newestOfA, recentOfB), ids("SELECT id FROM agent_events WHERE agent_id = $1", agentId));
    assertEquals(Set.of(), Set.of(oldFailure, olderSuccess, oldFailureOfB, deletedOld).stream()
        .filter(id -> Db.count(broker, "SELECT count(*) FROM agent_events WHERE id = $1", id) > 0).collect(Collectors.toSet()));
  }

  private static Set<UUID> ids(String sql, Object... args) {
    return Db.rows(broker, sql, args).stream().map(r -> r.getUUID(0)).collect(Collectors.toSet());
  }
}
