package org.brokkr.agent.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.broker.webhooks.Receiver;
import org.brokkr.broker.webhooks.StandardWebhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's webhook timer against the real broker: it posts the deliveries whose target labels
 * it carries, with the reference's headers and the subscription's signature, and the broker's
 * delivery records show what the receiver answered.
 */
class AgentWebhookDeliveryTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static TestBroker broker;
  static Fixtures fx;
  static Vertx receivers;

  private Vertx vertx;
  private BrokerClient client;
  private AgentMetrics metrics;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of());
    fx = new Fixtures(broker);
    receivers = TestVertx.create();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    broker.close();
    receivers.close().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopTimer() throws Exception {
    if (client != null) {
      client.close();
    }
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Runs the webhook timer of one agent (every second), as the agent's startup would. */
  private void runTimer(Fixtures.Agent agent) throws Exception {
    AgentConfig config = AgentHarness.config(broker.broker.port(), agent, "hooks", stateDir, 1,
        Map.of("agent.webhooks_interval", "1"));
    AgentRuntime runtime = new AgentRuntime();
    runtime.agentId(UUID.fromString(agent.id()));
    runtime.status("ACTIVE");
    vertx = TestVertx.create();
    client = new BrokerClient(vertx, config.brokerUrl(), config.pak());
    metrics = new AgentMetrics();
    vertx.deployVerticle(new WebhookDeliveryVerticle(config, runtime, metrics, client)).await(30, TimeUnit.SECONDS);
  }

  private static String subscribe(String url, JsonObject extra) {
    JsonObject body = new JsonObject().put("name", "hook-" + UUID.randomUUID()).put("url", url)
        .put("event_types", new JsonArray().add("stack.created")).mergeIn(extra);
    var r = broker.admin().post("/webhooks", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static JsonObject onlyDelivery(String subscription) {
    var r = broker.admin().get("/webhooks/" + subscription + "/deliveries");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray all = r.bodyAsJsonArray();
    return all.size() == 1 ? all.getJsonObject(0) : null;
  }

  private static JsonObject deliveryIn(String subscription, String status) {
    JsonObject d = onlyDelivery(subscription);
    return d != null && status.equals(d.getString("status")) ? d : null;
  }

  @Test
  void postsWhatItsLabelsSatisfyWithTheReferenceHeadersAndTheSignature() throws Exception {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "env:prod");
    try (Receiver receiver = Receiver.answering(receivers, 204)) {
      String mine = subscribe(receiver.url("/mine"), new JsonObject()
          .put("target_labels", new JsonArray().add("env:prod"))
          .put("auth_header", "Bearer in-cluster").put("signing_secret", SECRET));
      String notMine = subscribe(receiver.url("/not-mine"), new JsonObject()
          .put("target_labels", new JsonArray().add("env:prod").add("region:us")));
      runTimer(agent);
      String stack = fx.stack(gen);

      JsonObject delivered = Eventually.value(() -> deliveryIn(mine, "success"));
      assertEquals(1, receiver.hits("/mine").size(), "posted once");
      Receiver.Hit hit = receiver.hits("/mine").get(0);
      assertEquals("stack.created", hit.headers().get("X-Brokkr-Event-Type"));
      assertEquals(delivered.getString("id"), hit.headers().get("X-Brokkr-Delivery-Id"));
      assertEquals("Bearer in-cluster", hit.headers().get("Authorization"));
      assertEquals("application/json", hit.headers().get("Content-Type"));
      assertEquals("stack.created", hit.json().getString("event_type"));
      assertTrue(hit.json().getJsonObject("data").encode().contains(stack), hit.body());
      assertEquals(hit.json().getString("id"), hit.headers().get("webhook-id"), "the event id is the idempotency key");
      assertTrue(StandardWebhooks.verify(SECRET, hit.headers().get("webhook-id"), hit.headers().get("webhook-timestamp"),
          hit.headers().get("webhook-signature"), hit.body()), "the signature verifies");
      assertEquals(1, delivered.getInteger("attempts"), delivered.encode());

      // a subscription whose labels the agent lacks is neither posted by it nor by the broker
      assertEquals("pending", onlyDelivery(notMine).getString("status"));
      assertEquals(0, receiver.hits("/not-mine").size());
      assertTrue(metrics.render().contains("brokkr_agent_webhook_deliveries_total{result=\"success\"} 1"), metrics.render());
    }
  }

  @Test
  void aFailingReceiverIsReportedWithTheReferenceErrorTextAndRetriedOrGivenUp() throws Exception {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "tier:edge");
    try (Receiver failing = Receiver.answering(receivers, 503); Receiver refusing = Receiver.answering(receivers, 404)) {
      String retried = subscribe(failing.url("/busy"), new JsonObject()
          .put("target_labels", new JsonArray().add("tier:edge")).put("max_retries", 5));
      String dead = subscribe(refusing.url("/gone"), new JsonObject()
          .put("target_labels", new JsonArray().add("tier:edge")).put("max_retries", 5));
      runTimer(agent);
      fx.stack(gen);

      JsonObject failed = Eventually.value(() -> deliveryIn(retried, "failed"));
      assertEquals("HTTP 503: receiver says 503", failed.getString("last_error"), failed.encode());
      assertTrue(failed.getInteger("attempts") >= 1, failed.encode());
      assertTrue(failed.getValue("next_retry_at") instanceof String, "a 503 is tried again later: " + failed.encode());

      JsonObject gaveUp = Eventually.value(() -> deliveryIn(dead, "dead"));
      assertEquals("HTTP 404: receiver says 404", gaveUp.getString("last_error"), gaveUp.encode());
      assertEquals(1, gaveUp.getInteger("attempts"), "a 404 is final at once");
      assertNull(gaveUp.getValue("next_retry_at"));
      assertEquals(1, refusing.hits().size());
    }
  }

  @Test
  void anUnreachableReceiverIsAConnectionFailure() throws Exception {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    fx.labelAgent(agent.id(), "zone:closed");
    int closedPort;
    try (Receiver gone = Receiver.answering(receivers, 204)) {
      closedPort = gone.port;
    }
    String sub = subscribe("http://127.0.0.1:" + closedPort + "/hook?token=never-logged", new JsonObject()
        .put("target_labels", new JsonArray().add("zone:closed")).put("max_retries", 5));
    runTimer(agent);
    fx.stack(gen);
    JsonObject failed = Eventually.value(() -> deliveryIn(sub, "failed"));
    assertEquals("Connection failed", failed.getString("last_error"), failed.encode());
    assertTrue(metrics.render().contains("brokkr_agent_webhook_deliveries_total{result=\"failed\"} 1"), metrics.render());
  }
}
