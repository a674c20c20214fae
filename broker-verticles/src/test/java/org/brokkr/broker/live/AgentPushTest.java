package org.brokkr.broker.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pushes to connected agents on real brokers: every change is made through replica {@code a}
 * while the agents' sockets are open on replica {@code b} (and once on {@code a} itself), so each
 * push crosses the database's notifications. "Nothing more arrived" is checked behind a barrier:
 * a later push to the same socket, since one replica handles one channel's notifications in order.
 */
class AgentPushTest {
  private static final String NIL = new UUID(0, 0).toString();
  static TestBroker a;
  static TestBroker b;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    fx = new Fixtures(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  private static AgentSocket connect(TestBroker broker, Fixtures.Agent agent) {
    AgentSocket s = AgentSocket.connect(broker, agent.pak());
    Eventually.value(() -> broker.broker.sockets().of(UUID.fromString(agent.id())).orElse(null));
    return s;
  }

  private static JsonObject addTarget(String agentId, String stackId) {
    var r = a.admin().post("/agents/" + agentId + "/targets", new JsonObject().put("agent_id", agentId).put("stack_id", stackId));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** Adds a target for the socket's agent and waits for its push: every push before it has arrived. */
  private static void barrier(AgentSocket s, String agentId) {
    var gen = fx.generator();
    registerSelf(agentId, gen);
    String stack = fx.stack(gen);
    JsonObject target = addTarget(agentId, stack);
    Eventually.value(() -> s.frames("target_changed").stream()
        .anyMatch(f -> target.getString("id").equals(f.getJsonObject("body").getString("id"))) ? true : null);
  }

  private static void registerSelf(String agentId, Fixtures.Generator gen) {
    var r = a.admin().post("/generators/" + gen.id() + "/register", new JsonObject().put("agent_id", agentId));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static void annotateAgent(String agentId, String key, String value) {
    var r = a.admin().post("/agents/" + agentId + "/annotations",
        new JsonObject().put("agent_id", agentId).put("key", key).put("value", value));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  private static List<JsonObject> frames(AgentSocket s, String type, String bodyId) {
    return s.frames(type).stream().filter(f -> bodyId.equals(f.getJsonObject("body").getString("id"))).toList();
  }

  @Test
  void anAddedTargetIsPushedAsTheTargetTheApiReturned() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    try (AgentSocket s = connect(b, agent)) {
      JsonObject target = addTarget(agent.id(), stack);
      String frame = Eventually.value(() -> s.received.isEmpty() ? null : s.received.get(0));
      assertEquals(new JsonObject().put("type", "target_changed").put("body", new JsonObject()
          .put("id", target.getString("id")).put("agent_id", agent.id()).put("stack_id", stack)).encode(), frame);
    }
  }

  @Test
  void aRemovedTargetAndADeregistrationArePushedWithNilIdsOncePerAgent() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String one = fx.stack(gen);
    String two = fx.stack(gen);
    addTarget(agent.id(), one);
    addTarget(agent.id(), two);
    String removal = new JsonObject().put("type", "target_changed").put("body", new JsonObject()
        .put("id", NIL).put("agent_id", agent.id()).put("stack_id", NIL)).encode();
    try (AgentSocket s = connect(b, agent)) {
      assertEquals(204, a.admin().delete("/agents/" + agent.id() + "/targets/" + one).statusCode());
      Eventually.value(() -> s.received.contains(removal) ? true : null);
      // one deregistration drops the remaining target and the registration: one frame
      var r = a.as(agent.pak()).delete("/generators/" + gen.id() + "/register");
      assertEquals(204, r.statusCode(), r.bodyAsString());
      Eventually.value(() -> s.received.stream().filter(removal::equals).count() == 2 ? true : null);
      barrier(s, agent.id());
      assertEquals(2, s.received.stream().filter(removal::equals).count(), s.received.toString());
    }
  }

  @Test
  void aNewDeploymentObjectIsPushedToTargetedAndLabelOrAnnotationMatchedAgentsOnlyOnceEach() {
    var gen = fx.generator();
    String label = "env-" + UUID.randomUUID();
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, label);
    var explicit = fx.agent(List.of(gen.id()));
    addTarget(explicit.id(), stack);
    var matched = fx.agent(List.of(gen.id()));
    fx.labelAgent(matched.id(), label);
    var both = fx.agent(List.of(gen.id()));
    addTarget(both.id(), stack);
    fx.labelAgent(both.id(), label);
    String team = "team-" + UUID.randomUUID();
    var r = a.as(gen.pak()).post("/stacks/" + stack + "/annotations",
        new JsonObject().put("stack_id", stack).put("key", "team").put("value", team));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    var annotated = fx.agent(List.of(gen.id()));
    annotateAgent(annotated.id(), "team", team);
    var unregistered = fx.agent(List.of());
    fx.labelAgent(unregistered.id(), label);
    var unrelated = fx.agent(List.of(gen.id()));
    annotateAgent(unrelated.id(), "team", "another-" + team);
    try (AgentSocket se = connect(b, explicit); AgentSocket sm = connect(b, matched); AgentSocket sb = connect(a, both);
         AgentSocket sn = connect(b, annotated); AgentSocket su = connect(b, unregistered); AgentSocket sx = connect(b, unrelated)) {
      fx.deploymentObject(gen, stack, Fixtures.configMap("cm-" + UUID.randomUUID()));
      JsonObject stackBody = a.admin().get("/stacks/" + stack).bodyAsJsonObject();
      String expected = new WsFrame(WsVariant.STACK_CHANGED, stackBody).encode();
      for (AgentSocket s : List.of(se, sm, sb, sn)) {
        Eventually.value(() -> s.received.contains(expected) ? true : null);
      }
      for (var pair : List.of(Map.entry(sb, both), Map.entry(su, unregistered), Map.entry(sx, unrelated))) {
        barrier(pair.getKey(), pair.getValue().id());
      }
      assertEquals(1, frames(sb, "stack_changed", stack).size(), sb.received.toString());
      assertTrue(frames(su, "stack_changed", stack).isEmpty(), su.received.toString());
      assertTrue(frames(sx, "stack_changed", stack).isEmpty(), sx.received.toString());
    }
  }

  @Test
  void aWorkOrderIsPushedToItsExplicitAndLabelOrAnnotationMatchedAgentsOnlyOnceEach() {
    String label = "wo-" + UUID.randomUUID();
    var explicit = fx.agent(List.of());
    var matched = fx.agent(List.of());
    fx.labelAgent(matched.id(), label);
    var both = fx.agent(List.of());
    fx.labelAgent(both.id(), label);
    var annotated = fx.agent(List.of());
    annotateAgent(annotated.id(), "zone", label);
    var unrelated = fx.agent(List.of());
    annotateAgent(unrelated.id(), "zone", "another-" + label);
    try (AgentSocket se = connect(b, explicit); AgentSocket sm = connect(b, matched); AgentSocket sb = connect(b, both);
         AgentSocket sn = connect(b, annotated); AgentSocket sx = connect(b, unrelated)) {
      var r = a.admin().post("/work-orders", new JsonObject().put("work_type", "build").put("yaml_content", "kind: Build\n")
          .put("targeting", new JsonObject().put("agent_ids", new JsonArray().add(explicit.id()).add(both.id()))
              .put("labels", new JsonArray().add(label)).put("annotations", new JsonObject().put("zone", label))));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      JsonObject order = r.bodyAsJsonObject();
      String expected = new WsFrame(WsVariant.WORK_ORDER, order).encode();
      for (AgentSocket s : List.of(se, sm, sb, sn)) {
        Eventually.value(() -> s.received.contains(expected) ? true : null);
      }
      barrier(sb, both.id());
      barrier(sx, unrelated.id());
      assertEquals(1, frames(sb, "work_order", order.getString("id")).size(), sb.received.toString());
      assertTrue(sx.frames("work_order").isEmpty(), sx.received.toString());
    }
  }

  @Test
  void concurrentTargetPostsDeliverEachPushOnce() throws Exception {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    List<String> stacks = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      stacks.add(fx.stack(gen));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (AgentSocket s = connect(b, agent)) {
      List<Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>> posts = new ArrayList<>();
      for (String stack : stacks) {
        // each stack twice at once: one 201, one 409, one push
        for (int copy = 0; copy < 2; copy++) {
          posts.add(pool.submit(() -> a.admin().post("/agents/" + agent.id() + "/targets",
              new JsonObject().put("agent_id", agent.id()).put("stack_id", stack))));
        }
      }
      Set<String> created = new HashSet<>();
      for (var f : posts) {
        var r = f.get(60, TimeUnit.SECONDS);
        assertTrue(r.statusCode() == 201 || r.statusCode() == 409, r.bodyAsString());
        if (r.statusCode() == 201) {
          created.add(r.bodyAsJsonObject().getString("id"));
        }
      }
      assertEquals(stacks.size(), created.size());
      Eventually.value(() -> s.frames("target_changed").size() >= created.size() ? true : null);
      barrier(s, agent.id());
      List<String> pushed = s.frames("target_changed").stream().map(f -> f.getJsonObject("body").getString("id"))
          .filter(created::contains).toList();
      assertEquals(created.size(), pushed.size(), s.received.toString());
      assertEquals(created, new HashSet<>(pushed));
    } finally {
      pool.shutdownNow();
    }
  }
}
