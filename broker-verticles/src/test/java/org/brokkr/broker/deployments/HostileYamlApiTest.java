package org.brokkr.broker.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deeply nested YAML and alias bombs are refused with 400 {@code invalid_yaml} in either body
 * form, store nothing and log no stack trace; legitimate anchors, deep schemas and large bundles
 * are still accepted.
 */
class HostileYamlApiTest {
  static TestBroker broker;
  static Fixtures fx;
  static Fixtures.Generator gen;
  static String stack;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    gen = fx.generator();
    stack = fx.stack(gen);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static String path() {
    return "/stacks/" + stack + "/deployment-objects";
  }

  private static HttpResponse<Buffer> postYaml(String yaml) {
    return broker.as(gen.pak()).postRaw(path(), yaml, "application/yaml");
  }

  private static HttpResponse<Buffer> postJson(String yaml) {
    return broker.as(gen.pak()).post(path(), new JsonObject().put("yaml_content", yaml));
  }

  private static List<String> storedIds() {
    var r = broker.as(gen.pak()).get(path());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  /**
   * The request is a 400 ErrorResponse (with the given code unless null), nothing is stored and
   * nothing logs a stack trace.
   */
  private static void assertRefused(String code, Supplier<HttpResponse<Buffer>> request) {
    List<String> before = storedIds();
    HttpResponse<Buffer> r;
    try (LogCapture log = new LogCapture()) {
      r = request.get();
      assertEquals(List.of(), log.entriesWithStackTraces(), "a refused request logs no stack trace");
      assertEquals(List.of(), log.errors(), "a refused request is not logged as an error");
    }
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    if (code != null) {
      assertEquals(code, body.getString("code"), r.bodyAsString());
    }
    assertTrue(body.getString("code") != null && !body.getString("code").isBlank(), r.bodyAsString());
    assertFalse(body.getString("message").isBlank(), r.bodyAsString());
    assertFalse(r.bodyAsString().contains("Exception") || r.bodyAsString().contains("\tat "), r.bodyAsString());
    assertEquals(before, storedIds(), "nothing was stored");
  }

  private static void assertAccepted(HttpResponse<Buffer> r, String yaml) throws Exception {
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject obj = r.bodyAsJsonObject();
    assertEquals(yaml, obj.getString("yaml_content"));
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(yaml.getBytes(StandardCharsets.UTF_8))), obj.getString("yaml_checksum"));
    assertTrue(storedIds().contains(obj.getString("id")));
  }

  @Test
  void deepNestingIsRefusedAsRawYaml() {
    assertRefused("invalid_yaml", () -> postYaml(YamlSamples.nestedSequences(5_000)));
    assertRefused("invalid_yaml", () -> postYaml(YamlSamples.nestedMappings(5_000)));
    assertRefused("invalid_yaml", () -> postYaml(YamlSamples.nestedBlockSequences(2_000)));
  }

  @Test
  void deepNestingIsRefusedInsideJson() {
    assertRefused("invalid_yaml", () -> postJson(YamlSamples.nestedSequences(5_000)));
    assertRefused("invalid_yaml", () -> postJson(YamlSamples.nestedMappings(5_000)));
  }

  @Test
  void anAliasBombIsRefusedInEitherForm() {
    String bomb = YamlSamples.aliasBomb(7, 7);
    assertRefused("invalid_yaml", () -> postYaml(bomb));
    assertRefused("invalid_yaml", () -> postJson(bomb));
  }

  @Test
  void anAliasToItsOwnEnclosingNodeIsRefused() {
    assertRefused("invalid_yaml", () -> postYaml("loop: &loop [a, *loop]\n"));
  }

  @Test
  void anUndefinedAliasIsAnInvalidDeploymentObject() {
    assertRefused("invalid_deployment_object", () -> postYaml("a: *nowhere\n"));
  }

  @Test
  void largeHostileBodiesAreRefusedAsWell() {
    // above the inline threshold: read on a worker, with the same answers
    String padding = YamlSamples.bigConfigMap(2 * DeploymentObjectsVerticle.INLINE_BODY_BYTES) + "---\n";
    assertRefused("invalid_yaml", () -> postYaml(padding + YamlSamples.nestedSequences(5_000)));
    assertRefused("invalid_yaml", () -> postJson(padding + YamlSamples.aliasBomb(7, 7)));
    assertRefused("invalid_deployment_object", () -> postYaml(padding + "a: [1, 2\nb: }"));
    assertRefused("invalid_deployment_object", () -> broker.as(gen.pak()).send("POST", path(),
        Buffer.buffer(padding).appendBytes(new byte[] {'a', ':', ' ', (byte) 0xff}), "application/yaml"));
  }

  @Test
  void strangersLearnNothingFromTheContent() {
    var stranger = fx.generator();
    String padding = YamlSamples.bigConfigMap(2 * DeploymentObjectsVerticle.INLINE_BODY_BYTES) + "---\n";
    for (String yaml : List.of(YamlSamples.nestedSequences(5_000), YamlSamples.aliasBomb(7, 7),
        padding + YamlSamples.nestedSequences(5_000), "a: [1, 2\nb: }")) {
      var raw = broker.as(stranger.pak()).postRaw(path(), yaml, "application/yaml");
      assertEquals(403, raw.statusCode(), raw.bodyAsString());
      assertEquals("stack_not_owned", raw.bodyAsJsonObject().getString("code"));
      var json = broker.as(stranger.pak()).post(path(), new JsonObject().put("yaml_content", yaml));
      assertEquals(403, json.statusCode(), json.bodyAsString());
      var missing = broker.as(gen.pak()).postRaw("/stacks/" + java.util.UUID.randomUUID() + "/deployment-objects",
          yaml, "application/yaml");
      assertEquals(404, missing.statusCode(), missing.bodyAsString());
    }
  }

  @Test
  void jsonNestedThousandsOfLevelsIsA400() {
    String deepArray = "[".repeat(5_000) + "]".repeat(5_000);
    String deepObject = "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);
    for (String body : List.of(deepArray, deepObject)) {
      assertRefused(null, () -> broker.as(gen.pak()).postRaw(path(), body, "application/json"));
      try (LogCapture log = new LogCapture()) {
        var r = broker.admin().postRaw("/generators", body, "application/json");
        assertEquals(400, r.statusCode(), r.bodyAsString());
        assertTrue(r.bodyAsJsonObject().containsKey("code"), r.bodyAsString());
        assertEquals(List.of(), log.entriesWithStackTraces());
      }
    }
  }

  @Test
  void anchorsDeepSchemasAndLargeBundlesAreAccepted() throws Exception {
    String anchors = YamlSamples.bundleWithAnchors();
    assertAccepted(postYaml(anchors), anchors);
    assertAccepted(postJson(anchors), anchors);
    String crd = YamlSamples.deepCrd(40);
    assertAccepted(postYaml(crd), crd);
    assertAccepted(postJson(crd), crd);
    String legalDepth = YamlSamples.nestedSequences(YamlDocuments.MAX_DEPTH);
    assertAccepted(postYaml(legalDepth), legalDepth);
  }

  @Test
  void aLargeBundleIsAccepted() throws Exception {
    String big = YamlSamples.bigConfigMap(5 * 1024 * 1024);
    assertAccepted(postYaml(big), big);
    assertAccepted(postJson(big), big);
  }
}
