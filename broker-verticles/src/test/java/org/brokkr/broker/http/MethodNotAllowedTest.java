package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A method the contract does not list for a path it does list is 405 with an Allow header naming
 * the listed methods; a path the contract does not know stays 404. Either way nothing is stored.
 */
class MethodNotAllowedTest {
  static TestBroker broker;
  static Fixtures fx;
  static Fixtures.Generator gen;
  static String stackId;
  static Fixtures.Agent agent;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    gen = fx.generator();
    stackId = fx.stack(gen);
    agent = fx.agent(List.of(gen.id()));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static JsonObject assertMethodNotAllowed(HttpResponse<Buffer> r, String allow) {
    assertEquals(405, r.statusCode(), r.bodyAsString());
    assertEquals(allow, r.getHeader("Allow"));
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("method_not_allowed", body.getString("code"));
    assertTrue(body.getString("message").contains(allow), body.getString("message"));
    return body;
  }

  private static int agentCount() {
    var r = broker.admin().get("/agents");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().size();
  }

  @Test
  void anUnlistedMethodOnAListedPathIs405WithTheListedMethods() {
    assertMethodNotAllowed(broker.admin().send("PATCH", "/agents/" + agent.id(), null, null), "GET, PUT, DELETE");
    assertMethodNotAllowed(broker.admin().send("TRACE", "/agents", null, null), "GET, POST");
    assertMethodNotAllowed(broker.admin().send("PUT", "/stacks/" + stackId + "/labels", Buffer.buffer("\"x\""),
        "application/json"), "GET, POST");
    assertMethodNotAllowed(broker.admin().send("GET", "/agents/" + agent.id() + "/heartbeat", null, null), "POST");
    assertMethodNotAllowed(broker.admin().send("OPTIONS", "/stacks/" + stackId + "/labels/x", null, null), "DELETE");
  }

  @Test
  void headIsNotServedSoItIs405Too() {
    var r = broker.admin().send("HEAD", "/generators/" + gen.id(), null, null);
    assertEquals(405, r.statusCode());
    assertEquals("GET, PUT, DELETE", r.getHeader("Allow"));
  }

  @Test
  void methodsAreCheckedBeforeAuthentication() {
    assertMethodNotAllowed(broker.anonymous().send("DELETE", "/paks", null, null), "GET");
  }

  @Test
  void theSearchPathWithItsTrailingSlashAllowsOnlyGet() {
    int agents = agentCount();
    String body = new JsonObject().put("name", "slash-" + UUID.randomUUID()).put("cluster_name", "c").encode();
    assertMethodNotAllowed(broker.admin().send("POST", "/agents/", Buffer.buffer(body), "application/json"), "GET");
    assertEquals(agents, agentCount(), "POST /agents/ created nothing");
    assertEquals(201, broker.admin().postRaw("/agents", body, "application/json").statusCode(),
        "POST /agents (no slash) still creates");
  }

  @Test
  void unknownPathsStay404() {
    var r = broker.admin().send("TRACE", "/no-such-thing", null, null);
    assertEquals(404, r.statusCode(), r.bodyAsString());
    assertNull(r.getHeader("Allow"));
    assertEquals("not_found", r.bodyAsJsonObject().getString("code"));
    var nested = broker.admin().send("PATCH", "/agents/" + agent.id() + "/nonsense", null, null);
    assertEquals(404, nested.statusCode(), nested.bodyAsString());
    assertEquals("not_found", nested.bodyAsJsonObject().getString("code"));
  }
}
