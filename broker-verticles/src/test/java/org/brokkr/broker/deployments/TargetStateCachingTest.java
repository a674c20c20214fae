package org.brokkr.broker.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Target states are cached with an entity tag: a repeated poll is answered from memory (304 with
 * the tag), and every change that matters is visible at once on the broker that made it and
 * within a second on another broker sharing the database.
 */
class TargetStateCachingTest {
  static TestBroker a;
  static TestBroker b;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    fx = new Fixtures(a);
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", org.brokkr.codecs.Pak.hashOfPresented(a.adminPak).orElseThrow()));
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  private static HttpResponse<Buffer> poll(TestBroker on, Fixtures.Agent agent, String etag) {
    var req = on.client.get("/api/v1/agents/" + agent.id() + "/target-state").putHeader("Authorization", "Bearer " + agent.pak());
    if (etag != null) {
      req.putHeader("If-None-Match", etag);
    }
    try {
      return req.send().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record Setup(Fixtures.Generator gen, Fixtures.Agent agent, String stack) {}

  private static Setup setup() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "cache");
    fx.labelAgent(agent.id(), "cache");
    fx.deploymentObject(gen, stack, Fixtures.configMap("one"));
    return new Setup(gen, agent, stack);
  }

  @Test
  void aRepeatedPollWithItsTagIsNotModified() {
    Setup s = setup();
    var first = poll(a, s.agent(), null);
    assertEquals(200, first.statusCode());
    String etag = first.getHeader("ETag");
    assertNotNull(etag);
    var again = poll(a, s.agent(), etag);
    assertEquals(304, again.statusCode());
    assertEquals(etag, again.getHeader("ETag"));
    assertEquals(0, again.body() == null ? 0 : again.body().length());
    assertEquals(200, poll(a, s.agent(), "\"stale\"").statusCode(), "another tag gets the body");
  }

  @Test
  void changesAreVisibleAtOnceOnTheBrokerThatMadeThem() {
    Setup s = setup();
    String etag = poll(a, s.agent(), null).getHeader("ETag");
    JsonObject second = fx.deploymentObject(s.gen(), s.stack(), Fixtures.configMap("two"));
    var after = poll(a, s.agent(), etag);
    assertEquals(200, after.statusCode());
    assertEquals(second.getString("id"), after.bodyAsJsonArray().getJsonObject(0).getString("id"));

    // a SUCCESS report hides the object in incremental mode, immediately
    var report = a.as(s.agent().pak()).post("/agents/" + s.agent().id() + "/events", new JsonObject()
        .put("agent_id", s.agent().id()).put("deployment_object_id", second.getString("id"))
        .put("event_type", "DEPLOY").put("status", "SUCCESS"));
    assertEquals(201, report.statusCode());
    assertTrue(poll(a, s.agent(), null).bodyAsJsonArray().isEmpty());

    // removing the agent's label ends the match, immediately
    fx.deploymentObject(s.gen(), s.stack(), Fixtures.configMap("three"));
    assertEquals(1, poll(a, s.agent(), null).bodyAsJsonArray().size());
    assertEquals(204, a.admin().delete("/agents/" + s.agent().id() + "/labels/cache").statusCode());
    var unmatched = poll(a, s.agent(), null);
    assertTrue(unmatched.bodyAsJsonArray().isEmpty());
  }

  @Test
  void anotherBrokerSeesTheChangeWithinASecond() throws Exception {
    Setup s = setup();
    assertEquals(1, poll(b, s.agent(), null).bodyAsJsonArray().size());
    String cachedTag = poll(b, s.agent(), null).getHeader("ETag");
    assertEquals(304, poll(b, s.agent(), cachedTag).statusCode(), "broker B answers from its cache");
    JsonObject newer = fx.deploymentObject(s.gen(), s.stack(), Fixtures.configMap("newer"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (true) {
      var r = poll(b, s.agent(), cachedTag);
      if (r.statusCode() == 200 && newer.getString("id").equals(r.bodyAsJsonArray().getJsonObject(0).getString("id"))) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "broker B still serves the old target state after 1 s");
      Thread.sleep(20);
    }
  }

  @Test
  void aCachedTargetStateIsServedToItsAgentAndAdminOnlyAndPerMode() {
    Setup s = setup();
    var other = fx.agent(List.of(s.gen().id()));
    var first = poll(a, s.agent(), null);
    String etag = first.getHeader("ETag");
    assertEquals(first.bodyAsString(), poll(a, s.agent(), null).bodyAsString(), "the cached bytes are the computed ones");
    var stranger = a.client.get("/api/v1/agents/" + s.agent().id() + "/target-state")
        .putHeader("Authorization", "Bearer " + other.pak()).send().await();
    assertEquals(403, stranger.statusCode(), "another agent is refused even when the state is cached");
    assertEquals("agent_pak_mismatch", stranger.bodyAsJsonObject().getString("code"));
    var admin = a.admin().get("/agents/" + s.agent().id() + "/target-state");
    assertEquals(200, admin.statusCode());
    assertEquals(etag, admin.getHeader("ETag"));
    var full = a.client.get("/api/v1/agents/" + s.agent().id() + "/target-state?mode=full")
        .putHeader("Authorization", "Bearer " + s.agent().pak()).putHeader("If-None-Match", "W/" + etag).send().await();
    assertEquals(304, full.statusCode(), "nothing deployed yet: full and incremental agree, a weak tag matches");
    var report = a.as(s.agent().pak()).post("/agents/" + s.agent().id() + "/events", new JsonObject()
        .put("agent_id", s.agent().id()).put("deployment_object_id", first.bodyAsJsonArray().getJsonObject(0).getString("id"))
        .put("event_type", "DEPLOY").put("status", "SUCCESS"));
    assertEquals(201, report.statusCode());
    assertTrue(poll(a, s.agent(), null).bodyAsJsonArray().isEmpty(), "incremental hides the deployed object");
    var fullAfter = a.client.get("/api/v1/agents/" + s.agent().id() + "/target-state?mode=full")
        .putHeader("Authorization", "Bearer " + s.agent().pak()).send().await();
    assertEquals(1, fullAfter.bodyAsJsonArray().size(), "full mode still lists it");
  }

  @Test
  void aCachedStateChangesNoRefusal() {
    Setup cached = setup();
    Setup cold = setup();
    assertEquals(200, poll(a, cached.agent(), null).statusCode());
    assertEquals(200, poll(a, cached.agent(), null).statusCode(), "now answered from the cache");
    for (String query : List.of("?mode=full&mode=full", "?mode=full&mode=incremental")) {
      var hot = a.client.get("/api/v1/agents/" + cached.agent().id() + "/target-state" + query)
          .putHeader("Authorization", "Bearer " + cached.agent().pak()).send().await();
      var first = a.client.get("/api/v1/agents/" + cold.agent().id() + "/target-state" + query)
          .putHeader("Authorization", "Bearer " + cold.agent().pak()).send().await();
      assertEquals(first.statusCode(), hot.statusCode(), query + ": " + hot.bodyAsString());
      if (first.statusCode() >= 400) {
        assertEquals(first.bodyAsJsonObject().getString("code"), hot.bodyAsJsonObject().getString("code"), query);
      } else {
        assertEquals(first.bodyAsJsonArray().size(), hot.bodyAsJsonArray().size(), query);
      }
    }
    String upper = cached.agent().id().toUpperCase(java.util.Locale.ROOT);
    var shouted = a.client.get("/api/v1/agents/" + upper + "/target-state")
        .putHeader("Authorization", "Bearer " + cached.agent().pak()).send().await();
    assertEquals(200, shouted.statusCode(), "an upper-case id names the same agent");
    var wrongPak = a.client.get("/api/v1/agents/" + cached.agent().id() + "/target-state")
        .putHeader("Authorization", "Bearer " + org.brokkr.codecs.Pak.mint(org.brokkr.codecs.Pak.Format.DEFAULT).pak()).send().await();
    assertEquals(401, wrongPak.statusCode(), wrongPak.bodyAsString());
    var none = a.client.get("/api/v1/agents/" + cached.agent().id() + "/target-state").send().await();
    assertEquals(401, none.statusCode());
    var notUuid = a.client.get("/api/v1/agents/" + cached.agent().id().substring(1) + "/target-state")
        .putHeader("Authorization", "Bearer " + cached.agent().pak()).send().await();
    assertEquals(400, notUuid.statusCode(), notUuid.bodyAsString());
  }
}
