package org.brokkr.broker.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TemplatesApiTest {
  static final String CONTENT = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n";
  static final String SCHEMA = "{\"type\": \"object\", \"required\": [\"name\"], \"properties\": {\"name\": {\"type\": \"string\"}}}";

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

  static JsonObject body(String name) {
    return new JsonObject().put("name", name).put("template_content", CONTENT).put("parameters_schema", SCHEMA);
  }

  static JsonObject created(HttpResponse<Buffer> r) {
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  static List<Row> sql(String query, Object... args) {
    try {
      List<Row> out = new ArrayList<>();
      broker.broker.pool().preparedQuery(query).execute(Tuple.from(args)).await(30, TimeUnit.SECONDS).forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(query, e);
    }
  }

  private static long liveTemplates() {
    return sql("SELECT count(*) FROM stack_templates WHERE deleted_at IS NULL").get(0).getLong(0);
  }

  private static Set<String> ids(HttpResponse<Buffer> list) {
    assertEquals(200, list.statusCode(), list.bodyAsString());
    Set<String> out = new TreeSet<>();
    list.bodyAsJsonArray().forEach(t -> out.add(((JsonObject) t).getString("id")));
    return out;
  }

  @Test
  void aGeneratorCreatesAndReadsItsTemplate() {
    var gen = fx.generator();
    String name = "web-" + UUID.randomUUID();
    JsonObject t = created(broker.as(gen.pak()).post("/templates", body(name).put("description", "a web app")));
    assertEquals(gen.id(), t.getString("generator_id"));
    assertEquals(name, t.getString("name"));
    assertEquals("a web app", t.getString("description"));
    assertEquals(1, t.getInteger("version"));
    assertEquals(CONTENT, t.getString("template_content"));
    assertEquals(SCHEMA, t.getString("parameters_schema"));
    assertEquals(Pak.sha256Hex(CONTENT), t.getString("checksum"));
    assertNull(t.getValue("deleted_at"));
    var got = broker.as(gen.pak()).get("/templates/" + t.getString("id"));
    assertEquals(200, got.statusCode());
    assertEquals(t, got.bodyAsJsonObject());

    List<Row> audit = sql("SELECT actor_type, actor_id, details FROM audit_logs WHERE action = 'template.created' AND resource_id = $1",
        UUID.fromString(t.getString("id")));
    assertEquals(1, audit.size());
    assertEquals("generator", audit.get(0).getString("actor_type"));
    assertEquals(gen.id(), audit.get(0).getUUID("actor_id").toString());
    assertEquals(new JsonObject().put("name", name).put("version", 1), audit.get(0).getJsonObject("details"));
  }

  @Test
  void adminCreatesSystemTemplatesThatGeneratorsReadButCannotChange() {
    var gen = fx.generator();
    JsonObject system = created(broker.admin().post("/templates", body("sys-" + UUID.randomUUID())));
    assertNull(system.getValue("generator_id"));
    String id = system.getString("id");
    assertEquals(200, broker.as(gen.pak()).get("/templates/" + id).statusCode());
    assertEquals(200, broker.as(gen.pak()).get("/templates/" + id + "/labels").statusCode());
    assertEquals(200, broker.as(gen.pak()).get("/templates/" + id + "/annotations").statusCode());
    assertError(broker.as(gen.pak()).put("/templates/" + id, body("x")), 403, "template_not_owned");
    assertError(broker.as(gen.pak()).delete("/templates/" + id), 403, "template_not_owned");
    assertError(broker.as(gen.pak()).postRaw("/templates/" + id + "/labels", "\"a\"", "application/json"), 403, "template_not_owned");
    assertError(broker.as(gen.pak()).post("/templates/" + id + "/annotations", new JsonObject().put("key", "k").put("value", "v")),
        403, "template_not_owned");
    assertEquals(0, sql("SELECT count(*) FROM template_labels WHERE template_id = $1", UUID.fromString(id)).get(0).getLong(0));
    JsonObject v2 = broker.admin().put("/templates/" + id, body("ignored")).bodyAsJsonObject();
    assertNull(v2.getValue("generator_id"));
    assertEquals(2, v2.getInteger("version"));
    assertEquals(204, broker.admin().delete("/templates/" + v2.getString("id")).statusCode());
  }

  @Test
  void listingShowsSystemAndOwnTemplatesToAGenerator() {
    var a = fx.generator();
    var b = fx.generator();
    String own = created(broker.as(a.pak()).post("/templates", body("own-" + UUID.randomUUID()))).getString("id");
    String others = created(broker.as(b.pak()).post("/templates", body("other-" + UUID.randomUUID()))).getString("id");
    String system = created(broker.admin().post("/templates", body("sys-" + UUID.randomUUID()))).getString("id");
    Set<String> seen = ids(broker.as(a.pak()).get("/templates"));
    assertTrue(seen.contains(own) && seen.contains(system), seen.toString());
    assertTrue(!seen.contains(others), "another generator's template is not listed");
    Set<String> all = ids(broker.admin().get("/templates"));
    assertTrue(all.containsAll(List.of(own, others, system)));
    var agent = fx.agent(List.of(a.id()));
    assertError(broker.as(agent.pak()).get("/templates"), 403, "templates_not_accessible");
    assertError(broker.as(agent.pak()).post("/templates", body("agent-" + UUID.randomUUID())), 403, "templates_not_accessible");
    assertError(broker.as(agent.pak()).get("/templates/" + system), 403, "template_not_accessible");
  }

  @Test
  void anotherGeneratorsTemplateIsNeitherReadNorChanged() {
    var a = fx.generator();
    var b = fx.generator();
    String id = created(broker.as(a.pak()).post("/templates", body("t-" + UUID.randomUUID()))).getString("id");
    assertError(broker.as(b.pak()).get("/templates/" + id), 403, "template_not_accessible");
    assertError(broker.as(b.pak()).get("/templates/" + id + "/labels"), 403, "template_not_accessible");
    assertError(broker.as(b.pak()).put("/templates/" + id, body("x")), 403, "template_not_owned");
    assertError(broker.as(b.pak()).delete("/templates/" + id), 403, "template_not_owned");
    assertError(broker.as(a.pak()).get("/templates/" + UUID.randomUUID()), 404, "template_not_found");
    assertError(broker.as(a.pak()).put("/templates/" + UUID.randomUUID(), body("x")), 404, "template_not_found");
    assertEquals(204, broker.as(a.pak()).delete("/templates/" + id).statusCode());
    assertError(broker.as(a.pak()).get("/templates/" + id), 404, "template_not_found");
    assertError(broker.as(a.pak()).delete("/templates/" + id), 404, "template_not_found");
    assertError(broker.as(a.pak()).put("/templates/" + id, body("x")), 404, "template_not_found");
    assertError(broker.as(a.pak()).get("/templates/" + id + "/labels"), 404, "template_not_found");
  }

  @Test
  void versionsArePerGeneratorAndName() {
    var a = fx.generator();
    var b = fx.generator();
    String name = "app-" + UUID.randomUUID();
    JsonObject v1 = created(broker.as(a.pak()).post("/templates", body(name).put("description", "first")));
    JsonObject v2 = created(broker.as(a.pak()).post("/templates", body(name)));
    assertEquals(2, v2.getInteger("version"), "re-using a name makes the next version");
    assertEquals(1, created(broker.as(b.pak()).post("/templates", body(name))).getInteger("version"));
    assertEquals(1, created(broker.admin().post("/templates", body(name))).getInteger("version"));

    // PUT on an older version: a new row with the next number, the description carried over
    String content = "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: {{ name | lower }}\n";
    var put = broker.as(a.pak()).put("/templates/" + v1.getString("id"),
        new JsonObject().put("template_content", content).put("parameters_schema", "{}"));
    assertEquals(200, put.statusCode(), put.bodyAsString());
    JsonObject v3 = put.bodyAsJsonObject();
    assertNotEquals(v1.getString("id"), v3.getString("id"));
    assertEquals(3, v3.getInteger("version"));
    assertEquals(name, v3.getString("name"));
    assertEquals("first", v3.getString("description"));
    assertEquals(content, v3.getString("template_content"));
    assertEquals(Pak.sha256Hex(content), v3.getString("checksum"));
    assertEquals(v1, broker.as(a.pak()).get("/templates/" + v1.getString("id")).bodyAsJsonObject(), "the old version is unchanged");
    assertEquals("second", broker.as(a.pak()).put("/templates/" + v3.getString("id"),
        body(name).put("description", "second")).bodyAsJsonObject().getString("description"));

    // a deleted version frees its number: the next one is one more than the highest live version
    JsonObject v4 = broker.as(a.pak()).get("/templates").bodyAsJsonArray().stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("name").equals(name) && t.getInteger("version") == 4).findFirst().orElseThrow();
    assertEquals(204, broker.as(a.pak()).delete("/templates/" + v4.getString("id")).statusCode());
    assertEquals(4, created(broker.as(a.pak()).post("/templates", body(name))).getInteger("version"));
    List<Row> audit = sql("SELECT count(*) FROM audit_logs WHERE action = 'template.updated' AND details->>'name' = $1", name);
    assertEquals(2L, audit.get(0).getLong(0));
  }

  @Test
  void simultaneousCreatesGetDistinctVersions() throws Exception {
    var gen = fx.generator();
    String name = "race-" + UUID.randomUUID();
    List<CompletableFuture<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(CompletableFuture.supplyAsync(() -> broker.as(gen.pak()).post("/templates", body(name))));
    }
    Set<Integer> versions = new TreeSet<>();
    for (var call : calls) {
      versions.add(created(call.get(60, TimeUnit.SECONDS)).getInteger("version"));
    }
    assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7, 8), versions);
  }

  @Test
  void aNewVersionKeepsTheLabelsAndAnnotations() {
    var gen = fx.generator();
    String id = created(broker.as(gen.pak()).post("/templates", body("tagged-" + UUID.randomUUID()))).getString("id");
    created(broker.as(gen.pak()).postRaw("/templates/" + id + "/labels", "\"env:prod\"", "application/json"));
    created(broker.as(gen.pak()).post("/templates/" + id + "/annotations", new JsonObject().put("key", "team").put("value", "web")));
    String v2 = broker.as(gen.pak()).put("/templates/" + id, body("ignored")).bodyAsJsonObject().getString("id");
    JsonArray labels = broker.as(gen.pak()).get("/templates/" + v2 + "/labels").bodyAsJsonArray();
    assertEquals(1, labels.size());
    assertEquals("env:prod", labels.getJsonObject(0).getString("label"));
    assertEquals(v2, labels.getJsonObject(0).getString("template_id"));
    JsonArray annotations = broker.as(gen.pak()).get("/templates/" + v2 + "/annotations").bodyAsJsonArray();
    assertEquals(1, annotations.size());
    assertEquals("team", annotations.getJsonObject(0).getString("key"));
    assertEquals("web", annotations.getJsonObject(0).getString("value"));
  }

  @Test
  void labelsAndAnnotations() {
    var gen = fx.generator();
    String id = created(broker.as(gen.pak()).post("/templates", body("labels-" + UUID.randomUUID()))).getString("id");
    JsonObject label = created(broker.as(gen.pak()).postRaw("/templates/" + id + "/labels", "\"env:prod\"", "application/json"));
    assertEquals(id, label.getString("template_id"));
    assertEquals("env:prod", label.getString("label"));
    assertTrue(label.containsKey("id") && label.containsKey("created_at"), label.encode());
    assertError(broker.as(gen.pak()).postRaw("/templates/" + id + "/labels", "\"env:prod\"", "application/json"), 409, "unique_violation");
    assertError(broker.as(gen.pak()).postRaw("/templates/" + id + "/labels", "\"has space\"", "application/json"), 400, "invalid_label");
    assertError(broker.as(gen.pak()).postRaw("/templates/" + id + "/labels", "\"" + "x".repeat(65) + "\"", "application/json"),
        400, "invalid_label");
    assertEquals(1, broker.as(gen.pak()).get("/templates/" + id + "/labels").bodyAsJsonArray().size());
    assertEquals(204, broker.as(gen.pak()).delete("/templates/" + id + "/labels/env:prod").statusCode());
    assertError(broker.as(gen.pak()).delete("/templates/" + id + "/labels/env:prod"), 404, "template_label_not_found");

    JsonObject annotation = created(broker.as(gen.pak()).post("/templates/" + id + "/annotations",
        new JsonObject().put("key", "team").put("value", "web")));
    assertEquals(id, annotation.getString("template_id"));
    assertEquals("team", annotation.getString("key"));
    assertEquals("web", annotation.getString("value"));
    assertTrue(annotation.containsKey("created_at"));
    assertError(broker.as(gen.pak()).post("/templates/" + id + "/annotations",
        new JsonObject().put("key", "team").put("value", "ops")), 409, "unique_violation");
    assertError(broker.as(gen.pak()).post("/templates/" + id + "/annotations",
        new JsonObject().put("key", "bad key").put("value", "v")), 400, "invalid_annotation");
    assertError(broker.as(gen.pak()).post("/templates/" + id + "/annotations",
        new JsonObject().put("key", "k").put("value", "  ")), 400, "invalid_annotation");
    assertEquals(1, broker.as(gen.pak()).get("/templates/" + id + "/annotations").bodyAsJsonArray().size());
    assertEquals(204, broker.as(gen.pak()).delete("/templates/" + id + "/annotations/team").statusCode());
    assertError(broker.as(gen.pak()).delete("/templates/" + id + "/annotations/team"), 404, "template_annotation_not_found");
  }

  @Test
  void badTemplatesAreRefusedAndNothingIsStored() {
    var gen = fx.generator();
    long before = liveTemplates();
    var api = broker.as(gen.pak());
    assertError(api.post("/templates", body("t").put("template_content", "Hello, {{ name !")), 400, "invalid_template_syntax");
    assertError(api.post("/templates", body("t").put("template_content", "{% if true %} hello")), 400, "invalid_template_syntax");
    assertError(api.post("/templates", body("t").put("template_content", "{{ x | nosuch }}")), 400, "invalid_template_syntax");
    assertError(api.post("/templates", body("t").put("parameters_schema", "not json")), 400, "invalid_parameters_schema");
    assertError(api.post("/templates", body("t").put("parameters_schema", "")), 400, "invalid_parameters_schema");
    assertError(api.post("/templates", body("t").put("parameters_schema", "{\"type\": 5}")), 400, "invalid_parameters_schema");
    assertError(api.post("/templates", body("t").put("parameters_schema", "{\"$schema\": \"urn:nope\"}")), 400,
        "invalid_parameters_schema");
    // the syntax is checked before the schema
    assertError(api.post("/templates", body("t").put("template_content", "{{").put("parameters_schema", "x")), 400,
        "invalid_template_syntax");
    assertEquals(400, api.post("/templates", body("").put("name", "")).statusCode());
    assertEquals(400, api.post("/templates", body("t").put("template_content", "")).statusCode());
    assertEquals(400, api.post("/templates", body("x".repeat(256))).statusCode());
    assertEquals(400, api.post("/templates", body("t").put("description", "")).statusCode());
    assertEquals(400, api.post("/templates", new JsonObject().put("name", "t").put("template_content", "x")).statusCode());
    assertEquals(400, api.post("/templates", body("t").put("parameters_schema", new JsonObject())).statusCode());
    assertEquals(400, api.postRaw("/templates", "{not json", "application/json").statusCode());
    assertError(api.post("/templates", body("t").put("template_content", "{{ x\u0000 }}")), 400, "invalid_template_syntax");
    assertEquals(before, liveTemplates(), "nothing was stored");

    JsonObject t = created(api.post("/templates", body("kept-" + UUID.randomUUID())));
    long withOne = liveTemplates();
    String id = t.getString("id");
    assertError(api.put("/templates/" + id, new JsonObject().put("template_content", "{% for %}").put("parameters_schema", "{}")),
        400, "invalid_template_syntax");
    assertError(api.put("/templates/" + id, new JsonObject().put("template_content", "ok").put("parameters_schema", "[")),
        400, "invalid_parameters_schema");
    assertEquals(400, api.put("/templates/" + id, new JsonObject().put("parameters_schema", "{}")).statusCode());
    assertEquals(withOne, liveTemplates());
    assertEquals(t, api.get("/templates/" + id).bodyAsJsonObject());
  }
}
