package org.brokkr.broker.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeploymentObjectsApiTest {
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

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static HttpResponse<Buffer> postJson(String pak, String stack, JsonObject body) {
    return broker.as(pak).post("/stacks/" + stack + "/deployment-objects", body);
  }

  private static HttpResponse<Buffer> getObject(String pak, String id, String accept) throws Exception {
    var req = broker.client.get("/api/v1/deployment-objects/" + id).putHeader("Authorization", "Bearer " + pak);
    if (accept != null) {
      req.putHeader("Accept", accept);
    }
    return req.send().await(30, TimeUnit.SECONDS);
  }

  @Test
  void createFromJsonStoresExactContentAndChecksum() throws Exception {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String yaml = Fixtures.configMap("one") + "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n  \n";
    var r = postJson(gen.pak(), stack, new JsonObject().put("yaml_content", yaml));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject obj = r.bodyAsJsonObject();
    assertNotNull(UUID.fromString(obj.getString("id")));
    assertEquals(stack, obj.getString("stack_id"));
    assertEquals(yaml, obj.getString("yaml_content"));
    assertEquals(sha256(yaml), obj.getString("yaml_checksum"));
    assertFalse(obj.getBoolean("is_deletion_marker"));
    assertNotNull(obj.getLong("sequence_id"));
    assertNotNull(obj.getString("submitted_at"));
    assertEquals(201, postJson(broker.adminPak, stack, new JsonObject().put("yaml_content", yaml)).statusCode(),
        "admin may submit to any stack");
  }

  @Test
  void createFromRawYamlInEveryYamlMediaType() throws Exception {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    for (String type : List.of("application/yaml", "text/yaml", "application/x-yaml", "application/yaml; charset=utf-8")) {
      String yaml = Fixtures.configMap("raw-" + UUID.randomUUID());
      var r = broker.as(gen.pak()).postRaw("/stacks/" + stack + "/deployment-objects", yaml, type);
      assertEquals(201, r.statusCode(), type + ": " + r.bodyAsString());
      assertEquals(yaml, r.bodyAsJsonObject().getString("yaml_content"), type);
      assertEquals(sha256(yaml), r.bodyAsJsonObject().getString("yaml_checksum"), type);
      assertFalse(r.bodyAsJsonObject().getBoolean("is_deletion_marker"), type);
    }
    var marker = broker.as(gen.pak()).postRaw("/stacks/" + stack + "/deployment-objects?deletion_marker=true", "", "text/yaml");
    assertEquals(201, marker.statusCode(), marker.bodyAsString());
    assertTrue(marker.bodyAsJsonObject().getBoolean("is_deletion_marker"));
    assertEquals("", marker.bodyAsJsonObject().getString("yaml_content"));
    assertEquals(sha256(""), marker.bodyAsJsonObject().getString("yaml_checksum"));

    var jsonMarker = postJson(gen.pak(), stack, new JsonObject().put("yaml_content", "").put("is_deletion_marker", true));
    assertEquals(201, jsonMarker.statusCode(), jsonMarker.bodyAsString());
    assertTrue(jsonMarker.bodyAsJsonObject().getBoolean("is_deletion_marker"));
  }

  @Test
  void sequenceIdsIncreaseAcrossStacks() {
    var gen = fx.generator();
    String a = fx.stack(gen);
    String b = fx.stack(gen);
    long s1 = fx.deploymentObject(gen, a, Fixtures.configMap("x")).getLong("sequence_id");
    long s2 = fx.deploymentObject(gen, b, Fixtures.configMap("x")).getLong("sequence_id");
    long s3 = fx.deploymentObject(gen, a, Fixtures.configMap("x")).getLong("sequence_id");
    assertTrue(s1 < s2 && s2 < s3, s1 + " < " + s2 + " < " + s3);
  }

  @Test
  void invalidContentIsRefused() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String path = "/stacks/" + stack + "/deployment-objects";
    assertError(postJson(gen.pak(), stack, new JsonObject().put("yaml_content", "")), 400, "invalid_deployment_object");
    assertError(postJson(gen.pak(), stack, new JsonObject().put("yaml_content", "  \n")), 400, "invalid_deployment_object");
    assertError(postJson(gen.pak(), stack, new JsonObject().put("yaml_content", "a: [1, 2\nb: }")), 400, "invalid_deployment_object");
    assertError(postJson(gen.pak(), stack, new JsonObject().put("yaml_content", "# just a comment\n")), 400,
        "invalid_deployment_object");
    assertError(broker.as(gen.pak()).postRaw(path, "", "application/yaml"), 400, "invalid_deployment_object");
    assertError(broker.as(gen.pak()).postRaw(path, "key: \"unterminated\n", "application/yaml"), 400, "invalid_deployment_object");
    var notUtf8 = broker.as(gen.pak()).send("POST", path, Buffer.buffer(new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe}),
        "application/yaml");
    assertError(notUtf8, 400, "invalid_deployment_object");
    assertEquals(0, broker.as(gen.pak()).get(path).bodyAsJsonArray().size(), "nothing was stored");
  }

  @Test
  void createNeedsOwnerOrAdminAndALiveStack() {
    var gen = fx.generator();
    var other = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    JsonObject body = new JsonObject().put("yaml_content", Fixtures.configMap("x"));
    assertError(postJson(other.pak(), stack, body), 403, "stack_not_owned");
    assertEquals(403, postJson(agent.pak(), stack, body).statusCode());
    assertEquals(403, broker.as(other.pak()).postRaw("/stacks/" + stack + "/deployment-objects",
        Fixtures.configMap("x"), "application/yaml").statusCode(), "the raw-YAML route applies the same rule");
    assertError(postJson(gen.pak(), UUID.randomUUID().toString(), body), 404, "stack_not_found");
    assertEquals(401, broker.anonymous().postRaw("/stacks/" + stack + "/deployment-objects",
        Fixtures.configMap("x"), "application/yaml").statusCode());
  }

  @Test
  void listIsNewestFirstForOwnerOrAdmin() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    String first = fx.deploymentObject(gen, stack, Fixtures.configMap("1")).getString("id");
    String second = fx.deploymentObject(gen, stack, Fixtures.configMap("2")).getString("id");
    String third = fx.deploymentObject(gen, stack, Fixtures.configMap("3")).getString("id");
    for (String pak : List.of(gen.pak(), broker.adminPak)) {
      var r = broker.as(pak).get("/stacks/" + stack + "/deployment-objects");
      assertEquals(200, r.statusCode(), r.bodyAsString());
      var arr = r.bodyAsJsonArray();
      assertEquals(List.of(third, second, first), List.of(arr.getJsonObject(0).getString("id"),
          arr.getJsonObject(1).getString("id"), arr.getJsonObject(2).getString("id")));
    }
    assertError(broker.as(other.pak()).get("/stacks/" + stack + "/deployment-objects"), 403, "stack_not_owned");
  }

  @Test
  void getAsJsonOrRawYaml() throws Exception {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String yaml = Fixtures.configMap("raw");
    JsonObject obj = fx.deploymentObject(gen, stack, yaml);
    String id = obj.getString("id");

    var json = getObject(gen.pak(), id, null);
    assertEquals(200, json.statusCode());
    assertTrue(json.getHeader("Content-Type").startsWith("application/json"));
    assertEquals(obj, json.bodyAsJsonObject());

    for (String accept : List.of("application/yaml", "text/yaml", "application/x-yaml")) {
      var raw = getObject(gen.pak(), id, accept);
      assertEquals(200, raw.statusCode(), accept);
      assertTrue(raw.getHeader("Content-Type").startsWith("application/yaml"), raw.getHeader("Content-Type"));
      assertEquals(yaml, raw.bodyAsString(), accept);
    }
    assertError(getObject(broker.adminPak, UUID.randomUUID().toString(), null), 404, "deployment_object_not_found");
  }

  @Test
  void readAccessFollowsOwnershipAndAssociation() throws Exception {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "env:prod");
    String id = fx.deploymentObject(gen, stack, Fixtures.configMap("x")).getString("id");

    var targeted = fx.agent(List.of(gen.id()));
    var t = broker.as(gen.pak()).post("/agents/" + targeted.id() + "/targets",
        new JsonObject().put("agent_id", targeted.id()).put("stack_id", stack));
    assertEquals(201, t.statusCode(), t.bodyAsString());
    var labelMatched = fx.agent(List.of(gen.id()));
    fx.labelAgent(labelMatched.id(), "env:prod");
    var unregistered = fx.agent(List.of());
    fx.labelAgent(unregistered.id(), "env:prod");
    var unrelated = fx.agent(List.of(gen.id()));

    for (String pak : List.of(broker.adminPak, gen.pak(), targeted.pak(), labelMatched.pak())) {
      var r = getObject(pak, id, null);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(id, r.bodyAsJsonObject().getString("id"));
    }
    assertError(getObject(other.pak(), id, null), 403, "generator_not_associated");
    assertError(getObject(unrelated.pak(), id, null), 403, "agent_not_associated");
    assertError(getObject(unregistered.pak(), id, null), 403, "agent_not_associated");
  }

  @Test
  void creationWritesADeploymentCreatedEvent() throws Exception {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    JsonObject obj = fx.deploymentObject(gen, stack, Fixtures.configMap("ev"));
    List<Row> rows = new java.util.ArrayList<>();
    broker.broker.pool().preparedQuery("SELECT payload, stack_id FROM event_outbox "
            + "WHERE event_type = 'deployment.created' AND payload->'data'->>'deployment_object_id' = $1")
        .execute(Tuple.of(obj.getString("id"))).await(30, TimeUnit.SECONDS).forEach(rows::add);
    assertEquals(1, rows.size());
    assertEquals(stack, rows.get(0).getUUID("stack_id").toString());
    JsonObject data = ((JsonObject) rows.get(0).getValue("payload")).getJsonObject("data");
    assertEquals(obj.getString("id"), data.getString("deployment_object_id"));
    assertEquals(stack, data.getString("stack_id"));
    assertEquals(obj.getLong("sequence_id"), data.getLong("sequence_id"));
    assertEquals(obj.getString("created_at"), data.getString("created_at"));
  }
}
