package org.brokkr.broker.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StackLabelsApiTest {
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static HttpResponse<Buffer> addLabel(String pak, String stack, String rawJson) {
    return broker.as(pak).postRaw("/stacks/" + stack + "/labels", rawJson, "application/json");
  }

  private static HttpResponse<Buffer> addAnnotation(String pak, String stack, String key, String value) {
    return broker.as(pak).post("/stacks/" + stack + "/annotations",
        new JsonObject().put("stack_id", stack).put("key", key).put("value", value));
  }

  private static List<String> field(JsonArray rows, String name) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(((JsonObject) r).getString(name)));
    return out;
  }

  @Test
  void labelBodyIsABareJsonString() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    var r = addLabel(gen.pak(), stack, "\"env:prod\"");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject label = r.bodyAsJsonObject();
    assertNotNull(UUID.fromString(label.getString("id")));
    assertEquals(stack, label.getString("stack_id"));
    assertEquals("env:prod", label.getString("label"));

    assertEquals(201, addLabel(broker.adminPak, stack, "\"tier:web\"").statusCode(), "admin may label any stack");
    var list = broker.as(gen.pak()).get("/stacks/" + stack + "/labels");
    assertEquals(200, list.statusCode());
    assertEquals(List.of("env:prod", "tier:web"), field(list.bodyAsJsonArray(), "label"));
  }

  @Test
  void invalidLabelsAreRefused() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    assertError(addLabel(gen.pak(), stack, "\"has space\""), 400, "invalid_label");
    assertError(addLabel(gen.pak(), stack, "\"   \""), 400, "invalid_label");
    assertError(addLabel(gen.pak(), stack, "\"" + "x".repeat(65) + "\""), 400, "invalid_label");
    assertError(addLabel(gen.pak(), stack, "\"nul\\u0000label\""), 400, "invalid_value");
    assertEquals(201, addLabel(gen.pak(), stack, "\"" + "x".repeat(64) + "\"").statusCode(), "64 characters is the limit");
    assertEquals(400, addLabel(gen.pak(), stack, "{\"label\":\"env:prod\"}").statusCode(), "an object is not a label");
    assertEquals(1, broker.as(gen.pak()).get("/stacks/" + stack + "/labels").bodyAsJsonArray().size());
  }

  @Test
  void duplicateLabelConflictsAndRemovingAMissingLabelIs404() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "env:prod");
    assertError(addLabel(gen.pak(), stack, "\"env:prod\""), 409, "unique_violation");

    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + stack + "/labels/env:prod").statusCode());
    assertEquals(0, broker.as(gen.pak()).get("/stacks/" + stack + "/labels").bodyAsJsonArray().size());
    assertError(broker.as(gen.pak()).delete("/stacks/" + stack + "/labels/env:prod"), 404, "stack_label_not_found");
    assertEquals(201, addLabel(gen.pak(), stack, "\"env:prod\"").statusCode(), "a removed label can be added again");
  }

  @Test
  void onlyOwnerOrAdminChangesLabels() {
    var gen = fx.generator();
    var other = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "env:prod");
    assertError(addLabel(other.pak(), stack, "\"x\""), 403, "stack_not_owned");
    assertEquals(403, addLabel(agent.pak(), stack, "\"x\"").statusCode());
    assertError(broker.as(other.pak()).delete("/stacks/" + stack + "/labels/env:prod"), 403, "stack_not_owned");
    assertError(addLabel(broker.adminPak, UUID.randomUUID().toString(), "\"x\""), 404, "stack_not_found");
    assertEquals(204, broker.admin().delete("/stacks/" + stack + "/labels/env:prod").statusCode());
  }

  @Test
  void annotationsHoldOneValuePerKey() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    var r = addAnnotation(gen.pak(), stack, "region", "eu-west");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject a = r.bodyAsJsonObject();
    assertNotNull(UUID.fromString(a.getString("id")));
    assertEquals(stack, a.getString("stack_id"));
    assertEquals("region", a.getString("key"));
    assertEquals("eu-west", a.getString("value"));

    assertError(addAnnotation(gen.pak(), stack, "region", "us-east"), 409, "unique_violation");
    assertError(broker.as(gen.pak()).post("/stacks/" + stack + "/annotations", new JsonObject()
        .put("stack_id", UUID.randomUUID().toString()).put("key", "k").put("value", "v")), 400, "stack_id_mismatch");
    assertError(addAnnotation(gen.pak(), stack, "bad key", "v"), 400, "invalid_annotation");
    assertError(addAnnotation(gen.pak(), stack, "k", "v".repeat(65)), 400, "invalid_annotation");

    var list = broker.as(gen.pak()).get("/stacks/" + stack + "/annotations").bodyAsJsonArray();
    assertEquals(1, list.size());
    assertEquals("eu-west", list.getJsonObject(0).getString("value"));

    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + stack + "/annotations/region").statusCode());
    assertError(broker.as(gen.pak()).delete("/stacks/" + stack + "/annotations/region"), 404, "stack_annotation_not_found");
    assertEquals(201, addAnnotation(gen.pak(), stack, "region", "us-east").statusCode(), "after removal the key is free");
  }

  @Test
  void onlyOwnerOrAdminChangesAnnotations() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    assertError(addAnnotation(other.pak(), stack, "k", "v"), 403, "stack_not_owned");
    assertEquals(201, addAnnotation(broker.adminPak, stack, "k", "v").statusCode());
    assertError(broker.as(other.pak()).delete("/stacks/" + stack + "/annotations/k"), 403, "stack_not_owned");
  }

  @Test
  void readersAreAdminOwnerAndExplicitlyTargetedAgents() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "env:prod");
    assertEquals(201, addAnnotation(gen.pak(), stack, "k", "v").statusCode());

    var targeted = fx.agent(List.of(gen.id()));
    var r = broker.admin().post("/agents/" + targeted.id() + "/targets",
        new JsonObject().put("agent_id", targeted.id()).put("stack_id", stack));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    var labelMatched = fx.agent(List.of(gen.id()));
    fx.labelAgent(labelMatched.id(), "env:prod");

    for (String path : List.of("/stacks/" + stack + "/labels", "/stacks/" + stack + "/annotations")) {
      for (String pak : List.of(broker.adminPak, gen.pak(), targeted.pak())) {
        var ok = broker.as(pak).get(path);
        assertEquals(200, ok.statusCode(), path + " " + ok.bodyAsString());
        assertEquals(1, ok.bodyAsJsonArray().size(), path);
      }
      assertError(broker.as(labelMatched.pak()).get(path), 403, "stack_not_accessible");
      assertError(broker.as(other.pak()).get(path), 403, "stack_not_owned");
      assertError(broker.admin().get(path.replace(stack, UUID.randomUUID().toString())), 404, "stack_not_found");
    }
  }
}
