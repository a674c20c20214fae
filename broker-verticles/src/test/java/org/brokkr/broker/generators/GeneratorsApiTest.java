package org.brokkr.broker.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorsApiTest {
  private static final String PAK_SHAPE = "brokkr_BR[1-9A-HJ-NP-Za-km-z]{6}_[1-9A-HJ-NP-Za-km-z]{30,34}";

  static TestBroker broker;
  static Fixtures fx;
  static String systemGeneratorId;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    systemGeneratorId = broker.broker.pool().query("SELECT id FROM generators WHERE is_system AND deleted_at IS NULL")
        .execute().await(10, TimeUnit.SECONDS).iterator().next().getUUID("id").toString();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static String code(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getString("code");
  }

  private static void assertError(int status, String code, HttpResponse<Buffer> r) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, code(r), r.bodyAsString());
  }

  private static JsonObject whoAmI(String pak) {
    var r = broker.as(pak).post("/auth/pak", null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void createReturnsTheGeneratorAndAPakThatAuthenticatesAsIt() {
    String name = "ci-" + UUID.randomUUID();
    var r = broker.admin().post("/generators", new JsonObject().put("name", name).put("description", "the CI"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject gen = r.bodyAsJsonObject().getJsonObject("generator");
    String pak = r.bodyAsJsonObject().getString("pak");
    assertEquals(name, gen.getString("name"));
    assertEquals("the CI", gen.getString("description"));
    assertTrue(gen.getBoolean("is_active"));
    assertFalse(gen.getBoolean("is_system"));
    assertFalse(gen.containsKey("pak_hash"), "the hash is never serialized");
    assertTrue(pak.matches(PAK_SHAPE), pak);

    JsonObject me = whoAmI(pak);
    assertEquals(gen.getString("id"), me.getString("generator"));
    assertFalse(me.getBoolean("admin"));
    assertNull(me.getValue("agent"));
  }

  @Test
  void onlyAdminMayCreate() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    JsonObject body = new JsonObject().put("name", "x-" + UUID.randomUUID());
    assertError(403, "admin_required", broker.as(gen.pak()).post("/generators", body));
    assertError(403, "admin_required", broker.as(agent.pak()).post("/generators", body));
  }

  @Test
  void listIsAdminOnlyAndHidesTheSystemGenerator() {
    var gen = fx.generator();
    var r = broker.admin().get("/generators");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray all = r.bodyAsJsonArray();
    List<String> names = all.stream().map(o -> ((JsonObject) o).getString("name")).toList();
    List<String> ids = all.stream().map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(names.contains("admin-generator"), names.toString());
    assertFalse(names.contains("__system__"), names.toString());
    assertFalse(ids.contains(systemGeneratorId));
    assertTrue(ids.contains(gen.id()));
    all.forEach(o -> assertFalse(((JsonObject) o).containsKey("pak_hash")));

    assertError(403, "admin_required", broker.as(gen.pak()).get("/generators"));
    assertError(403, "admin_required", broker.as(fx.agent(List.of()).pak()).get("/generators"));
  }

  @Test
  void getIsForAdminOrSelf() {
    var gen = fx.generator();
    var other = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    var byAdmin = broker.admin().get("/generators/" + gen.id());
    assertEquals(200, byAdmin.statusCode());
    assertEquals(gen.id(), byAdmin.bodyAsJsonObject().getString("id"));
    var bySelf = broker.as(gen.pak()).get("/generators/" + gen.id());
    assertEquals(200, bySelf.statusCode());
    assertFalse(bySelf.bodyAsJsonObject().containsKey("pak_hash"));

    assertError(403, "generator_not_owned", broker.as(other.pak()).get("/generators/" + gen.id()));
    assertError(403, "generator_not_owned", broker.as(agent.pak()).get("/generators/" + gen.id()));
    assertError(404, "generator_not_found", broker.admin().get("/generators/" + UUID.randomUUID()));
  }

  @Test
  void updateIsForAdminOrSelfAndCannotMakeASystemGenerator() {
    var gen = fx.generator();
    var other = fx.generator();
    JsonObject current = broker.admin().get("/generators/" + gen.id()).bodyAsJsonObject();
    String renamed = "renamed-" + UUID.randomUUID();
    JsonObject change = current.copy().put("name", renamed).put("description", "new words").put("is_system", true);

    var r = broker.as(gen.pak()).put("/generators/" + gen.id(), change);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(renamed, r.bodyAsJsonObject().getString("name"));
    JsonObject stored = broker.admin().get("/generators/" + gen.id()).bodyAsJsonObject();
    assertEquals(renamed, stored.getString("name"));
    assertEquals("new words", stored.getString("description"));
    assertFalse(stored.getBoolean("is_system"), "PUT cannot change is_system");

    assertError(403, "generator_not_owned", broker.as(other.pak()).put("/generators/" + gen.id(), change));
    assertError(403, "generator_not_owned",
        broker.as(fx.agent(List.of()).pak()).put("/generators/" + gen.id(), change));
    String unknown = UUID.randomUUID().toString();
    assertError(404, "not_found", broker.admin().put("/generators/" + unknown, change.copy().put("id", unknown)));
  }

  @Test
  void duplicateNameIsAConflictNamingTheConstraint() {
    String name = "dup-" + UUID.randomUUID();
    assertEquals(201, broker.admin().post("/generators", new JsonObject().put("name", name)).statusCode());
    var r = broker.admin().post("/generators", new JsonObject().put("name", name));
    assertError(409, "unique_violation", r);
    assertEquals("unique_generator_name", r.bodyAsJsonObject().getJsonObject("details").getString("constraint"));
  }

  @Test
  void nameOfADeletedGeneratorMayBeReused() {
    String name = "reuse-" + UUID.randomUUID();
    var first = broker.admin().post("/generators", new JsonObject().put("name", name)).bodyAsJsonObject();
    String id = first.getJsonObject("generator").getString("id");
    assertEquals(204, broker.admin().delete("/generators/" + id).statusCode());
    var again = broker.admin().post("/generators", new JsonObject().put("name", name));
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertNotEquals(id, again.bodyAsJsonObject().getJsonObject("generator").getString("id"));
  }

  @Test
  void blankOrOverlongNamesAreRejected() {
    for (String bad : new String[] {"", "   ", "x".repeat(300)}) {
      var r = broker.admin().post("/generators", new JsonObject().put("name", bad));
      assertError(400, "invalid_generator", r);
    }
    var r = broker.admin().post("/generators", new JsonObject().put("name", "y".repeat(255)));
    assertEquals(201, r.statusCode(), "255 characters are allowed: " + r.bodyAsString());
  }

  @Test
  void theSystemGeneratorCannotBeDeleted() {
    assertError(403, "cannot_delete_system_generator", broker.admin().delete("/generators/" + systemGeneratorId));
    var r = broker.admin().get("/generators/" + systemGeneratorId);
    assertEquals(200, r.statusCode(), "it is still there");
    assertTrue(r.bodyAsJsonObject().getBoolean("is_system"));
  }

  @Test
  void rotateRevokesTheOldPakAtOnce() {
    var gen = fx.generator();
    assertEquals(gen.id(), whoAmI(gen.pak()).getString("generator"), "warms the auth cache");

    var r = broker.as(gen.pak()).post("/generators/" + gen.id() + "/rotate-pak", null);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    String fresh = r.bodyAsJsonObject().getString("pak");
    assertEquals(gen.id(), r.bodyAsJsonObject().getJsonObject("generator").getString("id"));
    assertTrue(fresh.matches(PAK_SHAPE), fresh);
    assertNotEquals(gen.pak(), fresh);

    assertError(401, "unauthorized", broker.as(gen.pak()).post("/auth/pak", null));
    assertError(401, "unauthorized", broker.as(gen.pak()).get("/generators/" + gen.id()));
    assertEquals(gen.id(), whoAmI(fresh).getString("generator"));

    var byAdmin = broker.admin().post("/generators/" + gen.id() + "/rotate-pak", null);
    assertEquals(201, byAdmin.statusCode(), byAdmin.bodyAsString());
    assertError(401, "unauthorized", broker.as(fresh).post("/auth/pak", null));
    assertEquals(gen.id(), whoAmI(byAdmin.bodyAsJsonObject().getString("pak")).getString("generator"));
  }

  @Test
  void rotateIsForAdminOrSelf() {
    var gen = fx.generator();
    var other = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    assertError(403, "generator_not_owned", broker.as(other.pak()).post("/generators/" + gen.id() + "/rotate-pak", null));
    assertError(403, "generator_not_owned", broker.as(agent.pak()).post("/generators/" + gen.id() + "/rotate-pak", null));
    assertError(404, "generator_not_found", broker.admin().post("/generators/" + UUID.randomUUID() + "/rotate-pak", null));
    assertEquals(gen.id(), whoAmI(gen.pak()).getString("generator"), "refused rotations change nothing");
  }

  @Test
  void deleteRevokesThePakAndRemovesItsStacks() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    assertEquals(200, broker.as(gen.pak()).get("/stacks/" + stack).statusCode(), "warms the auth cache");

    assertEquals(204, broker.as(gen.pak()).delete("/generators/" + gen.id()).statusCode());

    assertError(401, "unauthorized", broker.as(gen.pak()).post("/auth/pak", null));
    assertError(404, "stack_not_found", broker.admin().get("/stacks/" + stack));
    assertError(404, "generator_not_found", broker.admin().get("/generators/" + gen.id()));
    List<String> ids = broker.admin().get("/generators").bodyAsJsonArray().stream()
        .map(o -> ((JsonObject) o).getString("id")).toList();
    assertFalse(ids.contains(gen.id()));
    assertError(404, "generator_not_found", broker.admin().delete("/generators/" + gen.id()));
  }

  @Test
  void deleteIsForAdminOrSelf() {
    var gen = fx.generator();
    var other = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    assertError(403, "generator_not_owned", broker.as(other.pak()).delete("/generators/" + gen.id()));
    assertError(403, "generator_not_owned", broker.as(agent.pak()).delete("/generators/" + gen.id()));
    assertError(404, "generator_not_found", broker.admin().delete("/generators/" + UUID.randomUUID()));
    assertEquals(200, broker.admin().get("/generators/" + gen.id()).statusCode(), "still there");
    assertEquals(204, broker.admin().delete("/generators/" + gen.id()).statusCode());
    assertError(401, "unauthorized", broker.as(gen.pak()).post("/auth/pak", null));
  }
}
