package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Malformed requests get a JSON ErrorResponse (never a 500 or a stack trace) and change nothing. */
class BadInputTest {
  private static final int BODY_LIMIT = 4096;
  static TestBroker broker;
  static Fixtures fx;
  static Fixtures.Generator gen;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.max_body_bytes", String.valueOf(BODY_LIMIT)));
    fx = new Fixtures(broker);
    gen = fx.generator();
    fx.stack(gen);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** A 4xx answer with a JSON ErrorResponse body and nothing that looks like a stack trace. */
  private static JsonObject assertJsonError(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    String type = r.getHeader("Content-Type");
    assertTrue(type != null && type.startsWith("application/json"), "Content-Type " + type);
    String text = r.bodyAsString();
    assertFalse(text.contains("Exception") || text.contains("\tat ") || text.contains("at org."), text);
    JsonObject body = r.bodyAsJsonObject();
    assertNotNull(body.getString("code"), text);
    assertNotNull(body.getString("message"), text);
    return body;
  }

  private static int stackCount() {
    var r = broker.admin().get("/stacks");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().size();
  }

  private static int agentCount() {
    var r = broker.admin().get("/agents");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().size();
  }

  private static String stackJson(String name) {
    return new JsonObject().put("name", name).put("generator_id", gen.id()).encode();
  }

  @Test
  void malformedJsonIsA400() {
    int stacks = stackCount();
    assertJsonError(broker.as(gen.pak()).postRaw("/stacks", "{\"name\": \"half", "application/json"), 400);
    assertJsonError(broker.as(gen.pak()).postRaw("/stacks", "not json at all", "application/json"), 400);
    assertJsonError(broker.as(gen.pak()).postRaw("/stacks", "[1, 2]", "application/json"), 400);
    assertJsonError(broker.as(gen.pak()).postRaw("/stacks", "", "application/json"), 400);
    assertJsonError(broker.admin().postRaw("/agents", "{\"name\":", "application/json"), 400);
    assertEquals(stacks, stackCount());
  }

  @Test
  void wrongJsonTypeForAFieldIsA400() {
    int stacks = stackCount();
    int agents = agentCount();
    assertJsonError(broker.as(gen.pak()).post("/stacks",
        new JsonObject().put("name", 42).put("generator_id", gen.id())), 400);
    assertJsonError(broker.as(gen.pak()).post("/stacks",
        new JsonObject().put("name", "ok-" + UUID.randomUUID()).put("generator_id", "not-a-uuid")), 400);
    assertJsonError(broker.admin().post("/agents",
        new JsonObject().put("name", new io.vertx.core.json.JsonArray().add("x")).put("cluster_name", "c")), 400);
    assertJsonError(broker.admin().post("/agents",
        new JsonObject().put("name", "a-" + UUID.randomUUID()).put("cluster_name", "c").put("generator_ids", "all")), 400);
    assertJsonError(broker.admin().post("/agents", new JsonObject()), 400);
    assertEquals(stacks, stackCount());
    assertEquals(agents, agentCount());
  }

  @Test
  void badUuidInPathIsA400() {
    int agents = agentCount();
    assertJsonError(broker.admin().get("/agents/not-a-uuid"), 400);
    assertJsonError(broker.admin().get("/stacks/1234"), 400);
    assertJsonError(broker.admin().delete("/agents/zzz"), 400);
    assertJsonError(broker.admin().get("/agent-events/%20"), 400);
    assertEquals(agents, agentCount());
  }

  @Test
  void unknownRoutesAreJson404s() {
    JsonObject body = assertJsonError(broker.admin().get("/no-such-thing"), 404);
    assertEquals("not_found", body.getString("code"));
    assertJsonError(broker.admin().get("/agents/" + UUID.randomUUID() + "/nonsense"), 404);
    assertJsonError(broker.admin().postRaw("/nothing/here", "{}", "application/json"), 404);
  }

  @Test
  void bodiesOverTheLimitAre413() {
    int stacks = stackCount();
    String padded = new JsonObject().put("name", "big-" + UUID.randomUUID()).put("generator_id", gen.id())
        .put("description", "x".repeat(10 * 1024)).encode();
    JsonObject body = assertJsonError(broker.as(gen.pak()).postRaw("/stacks", padded, "application/json"), 413);
    assertEquals("payload_too_large", body.getString("code"));

    String smallEnough = new JsonObject().put("name", "fits-" + UUID.randomUUID()).put("generator_id", gen.id())
        .put("description", "x".repeat(BODY_LIMIT / 2)).encode();
    assertEquals(201, broker.as(gen.pak()).postRaw("/stacks", smallEnough, "application/json").statusCode(),
        "a body under the limit is accepted");
    assertEquals(stacks + 1, stackCount());
  }

  @Test
  void aHugeBodyIsRefusedAndTheBrokerKeepsServing() {
    int stacks = stackCount();
    Buffer huge = Buffer.buffer(new JsonObject().put("name", "huge-" + UUID.randomUUID()).put("generator_id", gen.id())
        .put("description", "y".repeat(10 * 1024 * 1024)).encode());
    try {
      var r = broker.as(gen.pak()).send("POST", "/stacks", huge, "application/json");
      assertEquals("payload_too_large", assertJsonError(r, 413).getString("code"));
    } catch (IllegalStateException closed) {
      // The broker may also close the connection while the client is still sending: refused too.
    }
    var ok = broker.as(gen.pak()).postRaw("/stacks", stackJson("after-" + UUID.randomUUID()), "application/json");
    assertEquals(201, ok.statusCode(), ok.bodyAsString());
    assertEquals(stacks + 1, stackCount(), "only the normal request stored a stack");
    assertEquals(200, broker.anonymous().get("/healthz").statusCode());
  }

  @Test
  void wrongContentTypeIsA415JsonError() {
    int stacks = stackCount();
    int agents = agentCount();
    var r = broker.as(gen.pak()).postRaw("/stacks", stackJson("typed-" + UUID.randomUUID()), "text/plain");
    assertEquals("unsupported_media_type", assertJsonError(r, 415).getString("code"));
    String agent = new JsonObject().put("name", "typed-" + UUID.randomUUID()).put("cluster_name", "c").encode();
    var a = broker.admin().postRaw("/agents", agent, "application/x-www-form-urlencoded");
    assertEquals("unsupported_media_type", assertJsonError(a, 415).getString("code"));
    var none = broker.admin().send("POST", "/agents", Buffer.buffer(agent), null);
    assertEquals("unsupported_media_type", assertJsonError(none, 415).getString("code"));
    assertEquals(stacks, stackCount());
    assertEquals(agents, agentCount());
  }

  @Test
  void blankNamesAndNulCharactersAre400AndStoreNothing() {
    int stacks = stackCount();
    int agents = agentCount();
    for (String name : List.of("", "   ", "\t\n", "\u3000\u2002", "nul\u0000inside")) {
      assertJsonError(broker.as(gen.pak()).post("/stacks", new JsonObject().put("name", name).put("generator_id", gen.id())), 400);
      assertJsonError(broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "c")), 400);
      assertJsonError(broker.admin().post("/agents", new JsonObject().put("name", "n-" + UUID.randomUUID()).put("cluster_name", name)), 400);
    }
    assertJsonError(broker.as(gen.pak()).post("/stacks", new JsonObject().put("name", "d-" + UUID.randomUUID())
        .put("generator_id", gen.id()).put("description", "nul\u0000inside")), 400);
    assertEquals(stacks, stackCount());
    assertEquals(agents, agentCount());
  }

  @Test
  void labelsWithWhitespaceOrTooLongAre400() {
    String stackId = fx.stack(gen);
    for (String label : List.of("", "  ", "in side", "tab\tinside", "x".repeat(65), "nul\u0000inside", "a\u3000b")) {
      JsonObject body = assertJsonError(broker.as(gen.pak()).post("/stacks/" + stackId + "/labels", label), 400);
      assertTrue(body.getString("code").startsWith("invalid_"), body.encode());
    }
    assertEquals(0, broker.as(gen.pak()).get("/stacks/" + stackId + "/labels").bodyAsJsonArray().size());
    var padded = broker.as(gen.pak()).post("/stacks/" + stackId + "/labels", "  padded\n");
    assertEquals(201, padded.statusCode(), padded.bodyAsString());
    assertEquals("padded", padded.bodyAsJsonObject().getString("label"), "surrounding spaces are trimmed, as before");
  }

  @Test
  void lengthsCountCharactersNotUtf16Units() {
    String wide = "\uD83D\uDE00";
    var longest = broker.admin().post("/generators", new JsonObject().put("name", wide.repeat(254) + UUID.randomUUID().toString().charAt(0)));
    assertEquals(201, longest.statusCode(), longest.bodyAsString());
    assertJsonError(broker.admin().post("/generators", new JsonObject().put("name", wide.repeat(256))), 400);
    String stackId = fx.stack(gen);
    var label = broker.as(gen.pak()).post("/stacks/" + stackId + "/labels", wide.repeat(64));
    assertEquals(201, label.statusCode(), label.bodyAsString());
    assertJsonError(broker.as(gen.pak()).post("/stacks/" + stackId + "/labels", wide.repeat(65)), 400);
  }

  @Test
  void probesAndContractAreServedWithoutAuth() {
    var health = broker.anonymous().get("/healthz");
    assertEquals(200, health.statusCode());
    assertEquals("OK", health.bodyAsString());
    var ready = broker.anonymous().get("/readyz");
    assertEquals(200, ready.statusCode());
    assertEquals("Ready", ready.bodyAsString());

    var yaml = broker.anonymous().get("/docs/openapi.yaml");
    assertEquals(200, yaml.statusCode());
    assertTrue(yaml.bodyAsString().startsWith("openapi: 3.1.0"), yaml.bodyAsString().substring(0, 40));
    var json = broker.anonymous().get("/docs/openapi.json");
    assertEquals(200, json.statusCode());
    JsonObject contract = json.bodyAsJsonObject();
    assertTrue(contract.getJsonObject("paths").containsKey("/agents/"), "the contract lists the search route");

    JsonObject unauth = assertJsonError(broker.anonymous().get("/agents"), 401);
    assertEquals("unauthorized", unauth.getString("code"));
  }
}
