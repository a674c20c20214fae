package org.brokkr.broker.workorders;

import static org.brokkr.broker.workorders.WorkOrderTesting.agents;
import static org.brokkr.broker.workorders.WorkOrderTesting.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The maintenance worker, run every 50 ms by two replicas on one database: due retries become
 * PENDING, expired claims go back to PENDING, and no order is handled twice.
 */
class WorkOrderMaintenanceTest {
  private static final Map<String, String> FAST = Map.of("broker.work_order_maintenance_interval_ms", "50");

  static TestBroker a;
  static TestBroker b;
  static Fixtures fx;
  static WorkOrderTesting wo;

  @BeforeAll
  static void start() {
    a = TestBroker.start(TestDatabase.fresh(), FAST);
    b = TestBroker.start(a.database, Map.of("broker.work_order_maintenance_interval_ms", "50",
        "broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    fx = new Fixtures(a);
    wo = new WorkOrderTesting(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
    TestDatabase.drop(a.database);
  }

  private static JsonObject order(String id) {
    return a.admin().get("/work-orders/" + id).bodyAsJsonObject();
  }

  @Test
  void anExpiredClaimGoesBackToPendingWithItsRetryCountAndIsAudited() {
    var holder = fx.agent(List.of());
    var next = fx.agent(List.of());
    String expiring = wo.create(body("custom", agents(holder.id(), next.id())).put("claim_timeout_seconds", 1))
        .getString("id");
    String kept = wo.create(agents(holder.id()), "custom").getString("id");
    wo.claimed(holder.pak(), kept, holder.id());
    wo.sql("UPDATE work_orders SET retry_count = 1 WHERE id = $1::uuid", expiring);
    wo.claimed(holder.pak(), expiring, holder.id());

    JsonObject released = Eventually.value(() -> {
      JsonObject o = order(expiring);
      return "PENDING".equals(o.getString("status")) ? o : null;
    });
    assertNull(released.getValue("claimed_by"));
    assertNull(released.getValue("claimed_at"));
    assertEquals(1, released.getInteger("retry_count"), "a lost claim is not a failed attempt");
    assertEquals(1, wo.count("SELECT count(*) FROM audit_logs WHERE action = 'workorder.claim_expired' "
        + "AND resource_id = $1::uuid AND actor_type = 'system' AND details->>'agent_id' = $2", expiring, holder.id()));
    assertEquals("CLAIMED", order(kept).getString("status"), "a claim within its timeout stays");

    var late = wo.complete(holder.pak(), expiring, WorkOrderTesting.success("too late"));
    assertEquals(403, late.statusCode(), late.bodyAsString());
    assertEquals("work_order_not_claimed_by_agent", late.bodyAsJsonObject().getString("code"));
    assertEquals(next.id(), wo.claimed(next.pak(), expiring, next.id()).getString("claimed_by"));
  }

  @Test
  void aRetryBecomesPendingOnceItsTimeHasCome() {
    var agent = fx.agent(List.of());
    String soon = wo.create(body("custom", agents(agent.id())).put("backoff_seconds", 1)).getString("id");
    String later = wo.create(body("custom", agents(agent.id())).put("backoff_seconds", 3600)).getString("id");
    for (String id : List.of(soon, later)) {
      wo.claimed(agent.pak(), id, agent.id());
      assertEquals(202, wo.complete(agent.pak(), id, WorkOrderTesting.failure("transient", true)).statusCode());
    }
    JsonObject due = Eventually.value(() -> {
      JsonObject o = order(soon);
      return "PENDING".equals(o.getString("status")) ? o : null;
    });
    assertNull(due.getValue("next_retry_after"));
    assertEquals(1, due.getInteger("retry_count"));
    assertEquals("transient", due.getString("last_error"));
    assertEquals("RETRY_PENDING", order(later).getString("status"), "not before next_retry_after");
    assertEquals(agent.id(), wo.claimed(agent.pak(), soon, agent.id()).getString("claimed_by"));
  }

  @Test
  void twoReplicasReleaseEachOfManyExpiredClaimsExactlyOnce() {
    var agent = fx.agent(List.of());
    int claims = 3 * WorkOrderMaintenanceVerticle.BATCH / 2 + 7;
    int retries = WorkOrderMaintenanceVerticle.BATCH + 3;
    wo.sql("""
        INSERT INTO work_orders (work_type, yaml_content, status, claimed_by, claimed_at, claim_timeout_seconds)
        SELECT 'bulk-claim', 'kind: Job', 'CLAIMED', $1::uuid, now() - interval '1 hour', 60
          FROM generate_series(1, $2)""", agent.id(), claims);
    wo.sql("""
        INSERT INTO work_orders (work_type, yaml_content, status, retry_count, next_retry_after)
        SELECT 'bulk-retry', 'kind: Job', 'RETRY_PENDING', 1, now() - interval '1 second' FROM generate_series(1, $1)""",
        retries);
    Eventually.value(() -> wo.count("SELECT count(*) FROM work_orders WHERE work_type IN ('bulk-claim', 'bulk-retry') "
        + "AND status <> 'PENDING'") == 0 ? Boolean.TRUE : null);
    assertEquals(claims, wo.count("""
        SELECT count(*) FROM audit_logs l JOIN work_orders w ON w.id = l.resource_id
         WHERE l.action = 'workorder.claim_expired' AND w.work_type = 'bulk-claim'"""), "one audit row per released claim");
    assertEquals(0, wo.count("""
        SELECT count(*) FROM (SELECT resource_id FROM audit_logs WHERE action = 'workorder.claim_expired'
                               GROUP BY resource_id HAVING count(*) > 1) twice"""));
    assertEquals(0, wo.count("SELECT count(*) FROM work_orders WHERE work_type IN ('bulk-claim', 'bulk-retry') "
        + "AND (claimed_by IS NOT NULL OR claimed_at IS NOT NULL OR next_retry_after IS NOT NULL)"));
    assertEquals(retries, wo.count("SELECT count(*) FROM work_orders WHERE work_type = 'bulk-retry' AND retry_count = 1"));
  }
}
