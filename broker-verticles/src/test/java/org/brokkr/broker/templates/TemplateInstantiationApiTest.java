package org.brokkr.broker.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TemplateInstantiationApiTest {
  static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: {{ name }}
      spec:
        replicas: {{ replicas | default(value=1) }}
      {%- if labels %}
        labels:
      {%- for k, v in labels %}
          {{ k }}: {{ v | lower }}
      {%- endfor %}
      {%- endif %}
      """;
  static final String SCHEMA = """
      {"type": "object", "required": ["name"],
       "properties": {"name": {"type": "string", "minLength": 1},
                      "replicas": {"type": "integer", "minimum": 1}}}""";

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

  static List<Row> sql(String query, Object... args) {
    try {
      List<Row> out = new ArrayList<>();
      broker.broker.pool().preparedQuery(query).execute(Tuple.from(args)).await(30, TimeUnit.SECONDS).forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(query, e);
    }
  }

  static String template(String pak, String content, String schema) {
    var r = broker.as(pak).post("/templates", new JsonObject().put("name", "t-" + UUID.randomUUID())
        .put("template_content", content).put("parameters_schema", schema));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static HttpResponse<Buffer> instantiate(String pak, String stack, String template, Object parameters) {
    return broker.as(pak).post("/stacks/" + stack + "/deployment-objects/from-template",
        new JsonObject().put("template_id", template).put("parameters", parameters));
  }

  static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  static long objects(String stack) {
    return sql("SELECT count(*) FROM deployment_objects WHERE stack_id = $1", UUID.fromString(stack)).get(0).getLong(0);
  }

  @Test
  void instantiationStoresTheRenderingAsADeploymentObject() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String template = template(gen.pak(), DEPLOYMENT, SCHEMA);
    JsonObject parameters = new JsonObject().put("name", "web").put("labels", new JsonObject().put("tier", "FRONT").put("app", "Web"));
    var r = instantiate(gen.pak(), stack, template, parameters);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject obj = r.bodyAsJsonObject();
    String expected = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
        + "  labels:\n    app: web\n    tier: front\n";
    assertEquals(expected, obj.getString("yaml_content"));
    assertEquals(Pak.sha256Hex(expected), obj.getString("yaml_checksum"));
    assertEquals(stack, obj.getString("stack_id"));
    assertFalse(obj.getBoolean("is_deletion_marker"));
    JsonArray listed = broker.as(gen.pak()).get("/stacks/" + stack + "/deployment-objects").bodyAsJsonArray();
    assertEquals(obj.getString("id"), listed.getJsonObject(0).getString("id"));

    UUID objectId = UUID.fromString(obj.getString("id"));
    List<Row> rendered = sql("SELECT template_id, template_version, template_parameters FROM rendered_deployment_objects "
        + "WHERE deployment_object_id = $1", objectId);
    assertEquals(1, rendered.size());
    assertEquals(template, rendered.get(0).getUUID("template_id").toString());
    assertEquals(1, rendered.get(0).getInteger("template_version"));
    assertEquals(parameters, new JsonObject(rendered.get(0).getString("template_parameters")));
    List<Row> events = sql("SELECT payload FROM event_outbox WHERE event_type = 'deployment.created' "
        + "AND payload->'data'->>'deployment_object_id' = $1", objectId.toString());
    assertEquals(1, events.size());
    assertEquals(stack, events.get(0).getJsonObject("payload").getJsonObject("data").getString("stack_id"));
    List<Row> audit = sql("SELECT details FROM audit_logs WHERE action = 'deployment_object.created' AND resource_id = $1", objectId);
    assertEquals(template, audit.get(0).getJsonObject("details").getString("template_id"));
  }

  @Test
  void theNamedVersionIsRenderedNotTheLatest() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String v1 = template(gen.pak(), "kind: ConfigMap\nmetadata:\n  name: v1-{{ name }}\n", "{}");
    var v2 = broker.as(gen.pak()).put("/templates/" + v1, new JsonObject()
        .put("template_content", "kind: ConfigMap\nmetadata:\n  name: v2-{{ name }}\n").put("parameters_schema", "{}"));
    assertEquals(200, v2.statusCode());
    var r = instantiate(gen.pak(), stack, v1, new JsonObject().put("name", "x"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsJsonObject().getString("yaml_content").contains("v1-x"));
  }

  @Test
  void generatorsInstantiateSystemTemplatesAndAdminAnyStack() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String system = template(broker.adminPak, "kind: Namespace\nmetadata:\n  name: {{ ns }}\n", "{\"required\": [\"ns\"]}");
    assertEquals(201, instantiate(gen.pak(), stack, system, new JsonObject().put("ns", "team-a")).statusCode());
    String own = template(gen.pak(), "kind: Namespace\nmetadata:\n  name: {{ ns }}\n", "{}");
    assertEquals(201, instantiate(broker.adminPak, stack, own, new JsonObject().put("ns", "b")).statusCode());
  }

  @Test
  void accessIsCheckedInTheReferenceOrder() {
    var a = fx.generator();
    var b = fx.generator();
    String stackOfA = fx.stack(a);
    String stackOfB = fx.stack(b);
    String templateOfA = template(a.pak(), "kind: A\n", "{}");
    String templateOfB = template(b.pak(), "kind: B\n", "{}");
    JsonObject p = new JsonObject();
    assertError(instantiate(a.pak(), UUID.randomUUID().toString(), templateOfA, p), 404, "stack_not_found");
    assertError(instantiate(a.pak(), stackOfB, UUID.randomUUID().toString(), p), 403, "stack_not_owned");
    assertError(instantiate(a.pak(), stackOfA, UUID.randomUUID().toString(), p), 404, "template_not_found");
    assertError(instantiate(a.pak(), stackOfA, templateOfB, p), 403, "template_not_accessible");
    var agent = fx.agent(List.of(a.id()));
    assertError(instantiate(agent.pak(), stackOfA, templateOfA, p), 403, "stack_not_owned");
    assertEquals(204, broker.as(a.pak()).delete("/templates/" + templateOfA).statusCode());
    assertError(instantiate(a.pak(), stackOfA, templateOfA, p), 404, "template_not_found");
    assertEquals(0, objects(stackOfA) + objects(stackOfB));
    assertEquals(400, broker.as(a.pak()).post("/stacks/" + stackOfA + "/deployment-objects/from-template",
        new JsonObject().put("template_id", templateOfB)).statusCode(), "parameters are required");
    assertEquals(400, broker.as(a.pak()).post("/stacks/" + stackOfA + "/deployment-objects/from-template",
        new JsonObject().put("template_id", "not-a-uuid").put("parameters", p)).statusCode());
  }

  @Test
  void everyTemplateLabelAndAnnotationMustBeOnTheStack() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String template = template(gen.pak(), "kind: ConfigMap\nmetadata:\n  name: {{ name }}\n", SCHEMA);
    var api = broker.as(gen.pak());
    for (String label : List.of("env:prod", "tier:web")) {
      assertEquals(201, api.postRaw("/templates/" + template + "/labels", "\"" + label + "\"", "application/json").statusCode());
    }
    assertEquals(201, api.post("/templates/" + template + "/annotations", new JsonObject().put("key", "team").put("value", "a")).statusCode());
    assertEquals(201, api.post("/templates/" + template + "/annotations", new JsonObject().put("key", "zone").put("value", "eu")).statusCode());
    fx.labelStack(gen, stack, "env:prod");
    assertEquals(201, api.post("/stacks/" + stack + "/annotations",
        new JsonObject().put("stack_id", stack).put("key", "team").put("value", "b")).statusCode());

    // checked before the parameters: these parameters are invalid too
    var r = instantiate(gen.pak(), stack, template, new JsonObject().put("replicas", 0));
    assertError(r, 422, "template_stack_mismatch");
    JsonObject details = r.bodyAsJsonObject().getJsonObject("details");
    assertEquals(new JsonArray().add("tier:web"), details.getJsonArray("missing_labels"));
    assertEquals(new JsonArray().add(new JsonArray().add("team").add("a")).add(new JsonArray().add("zone").add("eu")),
        details.getJsonArray("missing_annotations"));
    assertEquals(0, objects(stack));

    fx.labelStack(gen, stack, "tier:web");
    assertEquals(204, api.delete("/stacks/" + stack + "/annotations/team").statusCode());
    for (String[] kv : new String[][] {{"team", "a"}, {"zone", "eu"}}) {
      assertEquals(201, api.post("/stacks/" + stack + "/annotations",
          new JsonObject().put("stack_id", stack).put("key", kv[0]).put("value", kv[1])).statusCode());
    }
    assertEquals(201, instantiate(gen.pak(), stack, template, new JsonObject().put("name", "ok")).statusCode());
    // a template without labels or annotations matches any stack
    assertEquals(201, instantiate(gen.pak(), fx.stack(gen), template(gen.pak(), "kind: X\n", "{}"), new JsonObject()).statusCode());
  }

  @Test
  void parametersAreValidatedAgainstTheSchema() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String template = template(gen.pak(), DEPLOYMENT, SCHEMA);
    var r = instantiate(gen.pak(), stack, template, new JsonObject().put("replicas", 0));
    assertError(r, 400, "invalid_parameters");
    JsonArray errors = r.bodyAsJsonObject().getJsonObject("details").getJsonArray("validation_errors");
    assertEquals(2, errors.size(), errors.encode());
    assertTrue(errors.stream().anyMatch(e -> ((String) e).startsWith("/replicas: ")), errors.encode());
    assertTrue(errors.stream().anyMatch(e -> ((String) e).contains("name") && !((String) e).startsWith("/")), errors.encode());
    assertError(instantiate(gen.pak(), stack, template, new JsonObject().put("name", "")), 400, "invalid_parameters");
    assertError(instantiate(gen.pak(), stack, template, new JsonArray().add(1)), 400, "invalid_parameters");
    assertEquals(0, objects(stack));
    // schema defaults are not filled in: the template's own default applies
    var ok = instantiate(gen.pak(), stack, template(gen.pak(), "replicas: {{ replicas | default(value=2) }}\n",
        "{\"properties\": {\"replicas\": {\"default\": 5}}}"), new JsonObject());
    assertEquals("replicas: 2\n", ok.bodyAsJsonObject().getString("yaml_content"));
    // parameters that are not an object give the template an empty context
    var array = instantiate(gen.pak(), stack, template(gen.pak(), "kind: Fixed\n", "{}"), new JsonArray().add(1));
    assertEquals(201, array.statusCode(), array.bodyAsString());
    assertEquals("[1]", sql("SELECT template_parameters FROM rendered_deployment_objects WHERE deployment_object_id = $1",
        UUID.fromString(array.bodyAsJsonObject().getString("id"))).get(0).getString(0));
  }

  @Test
  void renderFailuresAreRefusedAndNothingIsStored() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), "name: {{ missing }}\n", "{}"), new JsonObject()),
        400, "template_render_failed");
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), "name: {{ n | upper }}\n", "{}"), new JsonObject().put("n", 5)),
        400, "template_render_failed");
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), "{% for x in n %}{% endfor %}a: b\n", "{}"),
        new JsonObject().put("n", 5)), 400, "template_render_failed");
    // an undefined variable in a condition is not a failure
    var quiet = instantiate(gen.pak(), stack, template(gen.pak(), "a: b\n{% if debug %}debug: true\n{% endif %}", "{}"), new JsonObject());
    assertEquals("a: b\n", quiet.bodyAsJsonObject().getString("yaml_content"));
    long stored = objects(stack);
    // the rendering must be a deployment object the broker would accept
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), "a: [{{ x }}\n", "{}"), new JsonObject().put("x", "unclosed")),
        400, "template_render_failed");
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), "{% if x %}a: b{% endif %}", "{}"), new JsonObject()),
        400, "template_render_failed");
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), "# only a comment\n", "{}"), new JsonObject()),
        400, "template_render_failed");
    String bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [" + "*a,".repeat(9) + "*a]\nc: &c [" + "*b,".repeat(9)
        + "*b]\nd: &d [" + "*c,".repeat(9) + "*c]\ne: [" + "*d,".repeat(9) + "*d]\n";
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), bomb, "{}"), new JsonObject()), 400, "invalid_yaml");
    String deep = "{% for i in range(end=n) %}[{% endfor %}1{% for i in range(end=n) %}]{% endfor %}\n";
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), deep, "{}"), new JsonObject().put("n", 500)), 400, "invalid_yaml");
    // a runaway rendering stops at the step limit
    String runaway = "{% for a in xs %}{% for b in xs %}{% for c in xs %}{% endfor %}{% endfor %}{% endfor %}k: v\n";
    JsonArray xs = new JsonArray();
    for (int i = 0; i < 400; i++) {
      xs.add(i);
    }
    assertError(instantiate(gen.pak(), stack, template(gen.pak(), runaway, "{}"), new JsonObject().put("xs", xs)),
        400, "template_render_failed");
    assertEquals(stored, objects(stack));
    assertEquals(stored, sql("SELECT count(*) FROM rendered_deployment_objects r JOIN deployment_objects d "
        + "ON d.id = r.deployment_object_id WHERE d.stack_id = $1", UUID.fromString(stack)).get(0).getLong(0));
  }
}
