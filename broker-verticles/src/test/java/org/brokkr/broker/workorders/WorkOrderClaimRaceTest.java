package org.brokkr.broker.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Claims are atomic across replicas: 20 agents, half of them talking to each of two brokers on
 * one database, race for the same orders over HTTP; every order must end up claimed by exactly
 * one of them, and the one whose claim was answered 200 is the one the database names.
 */
class WorkOrderClaimRaceTest {
  private static final int CLAIMANTS = 20;
  private static final int ORDERS = 1_000;

  static TestBroker a;
  static TestBroker b;
  static Vertx clients;
  static WorkOrderTesting wo;
  static final List<Claimant> claimants = new ArrayList<>();
  /** The admin, through the second broker. */
  static WebClient adminViaB;
  static String label;

  /** One agent with its own HTTP client (its own connections) to one of the brokers. */
  record Claimant(String id, String pak, WebClient http) {
    Future<HttpResponse<Buffer>> claim(String orderId) {
      return http.post("/api/v1/work-orders/" + orderId + "/claim")
          .putHeader("Authorization", "Bearer " + pak)
          .sendJsonObject(new JsonObject().put("agent_id", id));
    }
  }

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    wo = new WorkOrderTesting(a);
    clients = Vertx.vertx();
    label = "race-" + UUID.randomUUID().toString().substring(0, 8);
    Fixtures fx = new Fixtures(a);
    for (int i = 0; i < CLAIMANTS; i++) {
      Fixtures.Agent agent = fx.agent(List.of());
      fx.labelAgent(agent.id(), label);
      TestBroker via = i % 2 == 0 ? a : b;
      claimants.add(new Claimant(agent.id(), agent.pak(), WebClient.create(clients,
          new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(via.broker.port()))));
    }
    adminViaB = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(b.broker.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    claimants.forEach(c -> c.http().close());
    adminViaB.close();
    clients.close().await(30, TimeUnit.SECONDS);
    b.close();
    a.close();
  }

  /** Orders for every claimant (by label), written straight to the tables; their ids in one order. */
  private static List<String> seed(int count) {
    wo.sql("""
        WITH o AS (INSERT INTO work_orders (work_type, yaml_content)
                   SELECT 'race', 'kind: Job' FROM generate_series(1, $1) RETURNING id)
        INSERT INTO work_order_labels (work_order_id, label) SELECT id, $2 FROM o""", count, label);
    List<String> ids = new ArrayList<>();
    wo.sql("""
        SELECT w.id::text FROM work_orders w JOIN work_order_labels l ON l.work_order_id = w.id
         WHERE l.label = $1 AND w.status = 'PENDING' ORDER BY w.id""", label).forEach(r -> ids.add(r.getString(0)));
    assertEquals(count, ids.size());
    return ids;
  }

  @Test
  void twentyAgentsOnTwoReplicasClaimEachOfAThousandOrdersExactlyOnce() throws Exception {
    List<String> orders = seed(ORDERS);
    Map<String, List<String>> winners = new ConcurrentHashMap<>();
    List<String> unexpected = new CopyOnWriteArrayList<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    long started = System.nanoTime();
    // Every claimant walks the same list, skipping orders already known to be taken: at any moment
    // several of them are after the same order.
    List<Future<Void>> runs = new ArrayList<>();
    for (Claimant c : claimants) {
      Promise<Void> done = Promise.promise();
      clients.runOnContext(v -> walk(c, orders, 0, winners, unexpected, sent, refused, done));
      runs.add(done.future());
    }
    Future.all(runs).await(10, TimeUnit.MINUTES);
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;

    long doubles = winners.values().stream().filter(w -> w.size() > 1).count();
    long lost = orders.stream().filter(id -> !winners.containsKey(id)).count();
    System.out.printf("claim race: claimants=%d replicas=2 orders=%d claims_sent=%d won=%d refused=%d "
        + "double_claims=%d lost=%d elapsed_ms=%d%n", CLAIMANTS, ORDERS, sent.get(), winners.size(), refused.get(),
        doubles, lost, elapsedMs);
    assertTrue(unexpected.isEmpty(), "only 200 or 404 work_order_not_claimable: " + unexpected);
    assertEquals(0, doubles, "orders won by more than one claim");
    assertEquals(0, lost, "orders nobody won");
    assertTrue(refused.get() > 0, "the claimants really competed");

    // the database agrees with the answers: one claim, by the winner, one event and one audit row each
    Map<String, String> holder = new ConcurrentHashMap<>();
    wo.sql("""
        SELECT w.id::text, w.status, w.claimed_by::text FROM work_orders w
          JOIN work_order_labels l ON l.work_order_id = w.id WHERE l.label = $1""", label)
        .forEach(r -> {
          assertEquals("CLAIMED", r.getString(1));
          holder.put(r.getString(0), r.getString(2));
        });
    assertEquals(ORDERS, holder.size());
    for (String id : orders) {
      assertEquals(winners.get(id).get(0), holder.get(id), id);
    }
    assertEquals(0, wo.count("""
        SELECT count(*) FROM (SELECT resource_id FROM audit_logs WHERE action = 'workorder.claimed'
                               GROUP BY resource_id HAVING count(*) > 1) twice"""));
    assertEquals(ORDERS, wo.count("""
        SELECT count(*) FROM event_outbox e JOIN work_order_labels l ON l.work_order_id = (e.payload->'data'->>'work_order_id')::uuid
         WHERE e.event_type = 'workorder.claimed' AND l.label = $1""", label));
  }

  private static void walk(Claimant c, List<String> orders, int from, Map<String, List<String>> winners,
      List<String> unexpected, AtomicInteger sent, AtomicInteger refused, Promise<Void> done) {
    int i = from;
    while (i < orders.size() && winners.containsKey(orders.get(i))) {
      i++;
    }
    if (i == orders.size()) {
      done.complete();
      return;
    }
    String id = orders.get(i);
    int next = i + 1;
    sent.incrementAndGet();
    c.claim(id).onComplete(ar -> {
      if (ar.failed()) {
        unexpected.add(c.id() + " " + id + ": " + ar.cause());
      } else if (ar.result().statusCode() == 200) {
        winners.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(c.id());
        if (!c.id().equals(ar.result().bodyAsJsonObject().getString("claimed_by"))) {
          unexpected.add(id + ": 200 names " + ar.result().bodyAsJsonObject().getString("claimed_by"));
        }
      } else if (ar.result().statusCode() == 404
          && "work_order_not_claimable".equals(ar.result().bodyAsJsonObject().getString("code"))) {
        refused.incrementAndGet();
      } else {
        unexpected.add(id + ": " + ar.result().statusCode() + " " + ar.result().bodyAsString());
      }
      walk(c, orders, next, winners, unexpected, sent, refused, done);
    });
  }

  @Test
  void twentySimultaneousClaimsOfOneOrderHaveOneWinner() throws Exception {
    for (int round = 0; round < 5; round++) {
      String id = seed(1).get(0);
      List<Future<HttpResponse<Buffer>>> answers = new CopyOnWriteArrayList<>();
      Promise<Void> fired = Promise.promise();
      // all 20 requests leave in one go, half to each replica
      clients.runOnContext(v -> {
        claimants.forEach(c -> answers.add(c.claim(id)));
        fired.complete();
      });
      fired.future().await(30, TimeUnit.SECONDS);
      Future.join(new ArrayList<>(answers)).await(60, TimeUnit.SECONDS);
      List<String> won = new ArrayList<>();
      for (int i = 0; i < CLAIMANTS; i++) {
        HttpResponse<Buffer> r = answers.get(i).result();
        if (r.statusCode() == 200) {
          won.add(claimants.get(i).id());
        } else {
          assertEquals(404, r.statusCode(), r.bodyAsString());
          assertEquals("work_order_not_claimable", r.bodyAsJsonObject().getString("code"));
        }
      }
      assertEquals(1, won.size(), "round " + round + " winners " + won);
      assertEquals(won.get(0), wo.sql("SELECT claimed_by::text FROM work_orders WHERE id = $1::uuid", id)
          .iterator().next().getString(0));
      // the order is taken: it leaves the queue so the next round's list holds only the new one
      wo.sql("DELETE FROM work_orders WHERE id = $1::uuid", id);
    }
  }

  @Test
  void simultaneousCompletionsOfOneOrderHaveOneOutcome() throws Exception {
    Claimant holder = claimants.get(0);
    for (boolean success : new boolean[] {true, false}) {
      String id = seed(1).get(0);
      wo.sql("UPDATE work_orders SET max_retries = 5 WHERE id = $1::uuid", id);
      assertEquals(200, holder.claim(id).await(30, TimeUnit.SECONDS).statusCode());
      JsonObject outcome = new JsonObject().put("success", success).put("message", "done").put("retryable", true);
      List<Future<HttpResponse<Buffer>>> answers = new CopyOnWriteArrayList<>();
      Promise<Void> fired = Promise.promise();
      // the claimant through one replica and the admin through the other, ten reports in all
      clients.runOnContext(v -> {
        for (int i = 0; i < 5; i++) {
          answers.add(holder.http().post("/api/v1/work-orders/" + id + "/complete")
              .putHeader("Authorization", "Bearer " + holder.pak()).sendJsonObject(outcome));
          answers.add(adminViaB.post("/api/v1/work-orders/" + id + "/complete")
              .putHeader("Authorization", "Bearer " + a.adminPak).sendJsonObject(outcome));
        }
        fired.complete();
      });
      fired.future().await(30, TimeUnit.SECONDS);
      Future.join(new ArrayList<>(answers)).await(60, TimeUnit.SECONDS);
      int taken = 0;
      for (Future<HttpResponse<Buffer>> f : answers) {
        int status = f.result().statusCode();
        if (status == (success ? 200 : 202)) {
          taken++;
        } else {
          // the order is gone (404), or back in the queue without a claim (403 agent, 409 admin)
          assertTrue(List.of(403, 404, 409).contains(status), status + " " + f.result().bodyAsString());
        }
      }
      assertEquals(1, taken, "exactly one report decides the outcome");
      if (success) {
        assertEquals(1, wo.count("SELECT count(*) FROM work_order_log WHERE id = $1::uuid", id));
        assertEquals(1, wo.count("SELECT count(*) FROM event_outbox WHERE event_type = 'workorder.completed' "
            + "AND payload->'data'->>'work_order_log_id' = $1", id));
      } else {
        assertEquals(1, wo.count("SELECT count(*) FROM work_orders WHERE id = $1::uuid AND status = 'RETRY_PENDING' "
            + "AND retry_count = 1", id));
        wo.sql("DELETE FROM work_orders WHERE id = $1::uuid", id);
      }
    }
  }
}
