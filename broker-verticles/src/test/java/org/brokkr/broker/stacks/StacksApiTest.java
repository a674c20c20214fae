package org.brokkr.broker.stacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StacksApiTest {
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

  private static JsonObject newStack(String generatorId) {
    return new JsonObject().put("name", "stack-" + UUID.randomUUID()).put("generator_id", generatorId);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals(code, r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  private static List<Row> sql(String query, Object... args) {
    try {
      List<Row> out = new ArrayList<>();
      broker.broker.pool().preparedQuery(query).execute(Tuple.from(args)).await(30, TimeUnit.SECONDS).forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(query, e);
    }
  }

  private static List<String> ids(JsonArray stacks) {
    List<String> out = new ArrayList<>();
    stacks.forEach(s -> out.add(((JsonObject) s).getString("id")));
    return out;
  }

  @Test
  void adminCreatesAStackForAnyGenerator() {
    var gen = fx.generator();
    JsonObject body = newStack(gen.id()).put("description", "web tier");
    var r = broker.admin().post("/stacks", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject stack = r.bodyAsJsonObject();
    assertNotNull(UUID.fromString(stack.getString("id")));
    assertEquals(body.getString("name"), stack.getString("name"));
    assertEquals("web tier", stack.getString("description"));
    assertEquals(gen.id(), stack.getString("generator_id"));
    assertNotNull(stack.getString("created_at"));
    assertNull(stack.getValue("deleted_at"));
  }

  @Test
  void generatorCreatesOnlyItsOwnStacks() {
    var gen = fx.generator();
    var other = fx.generator();
    var own = broker.as(gen.pak()).post("/stacks", newStack(gen.id()));
    assertEquals(201, own.statusCode(), own.bodyAsString());
    assertEquals(gen.id(), own.bodyAsJsonObject().getString("generator_id"));

    assertError(broker.as(gen.pak()).post("/stacks", newStack(other.id())), 403, "stack_generator_mismatch");
  }

  @Test
  void agentsCannotCreateStacks() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    assertError(broker.as(agent.pak()).post("/stacks", newStack(gen.id())), 403, "stack_create_denied");
  }

  @Test
  void createRejectsUnknownGeneratorDuplicateNameAndBlankName() {
    assertError(broker.admin().post("/stacks", newStack(UUID.randomUUID().toString())), 422, "foreign_key_violation");

    var gen = fx.generator();
    JsonObject body = newStack(gen.id());
    assertEquals(201, broker.as(gen.pak()).post("/stacks", body).statusCode());
    var dup = broker.admin().post("/stacks", body);
    assertError(dup, 409, "unique_violation");
    assertEquals("unique_stack_name", dup.bodyAsJsonObject().getJsonObject("details").getString("constraint"));

    var gone = fx.generator();
    assertEquals(204, broker.admin().delete("/generators/" + gone.id()).statusCode());
    assertError(broker.admin().post("/stacks", newStack(gone.id())), 422, "foreign_key_violation");

    var blank = broker.as(gen.pak()).post("/stacks", new JsonObject().put("name", "   ").put("generator_id", gen.id()));
    assertEquals(400, blank.statusCode(), blank.bodyAsString());
    assertEquals(400, broker.as(gen.pak()).post("/stacks", newStack(gen.id()).put("name", "n".repeat(256))).statusCode());
    assertError(broker.as(gen.pak()).post("/stacks", newStack(gen.id()).put("name", "nul\u0000name")), 400, "invalid_value");
  }

  @Test
  void listIsScopedByCaller() {
    var a = fx.generator();
    var b = fx.generator();
    String sa = fx.stack(a);
    String sb = fx.stack(b);

    var all = broker.admin().get("/stacks");
    assertEquals(200, all.statusCode());
    assertTrue(ids(all.bodyAsJsonArray()).containsAll(List.of(sa, sb)));

    var filtered = broker.admin().get("/stacks?pak_id=" + a.id());
    assertEquals(200, filtered.statusCode());
    assertEquals(List.of(sa), ids(filtered.bodyAsJsonArray()));

    assertEquals(400, broker.admin().get("/stacks?pak_id=not-a-uuid").statusCode());

    var own = broker.as(b.pak()).get("/stacks");
    assertEquals(200, own.statusCode());
    assertEquals(List.of(sb), ids(own.bodyAsJsonArray()));

    var agent = fx.agent(List.of(a.id()));
    assertError(broker.as(agent.pak()).get("/stacks"), 403, "stacks_list_denied");
  }

  @Test
  void getIsForOwnerOrAdmin() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    var owner = broker.as(gen.pak()).get("/stacks/" + stack);
    assertEquals(200, owner.statusCode());
    assertEquals(stack, owner.bodyAsJsonObject().getString("id"));
    assertEquals(200, broker.admin().get("/stacks/" + stack).statusCode());
    assertError(broker.as(other.pak()).get("/stacks/" + stack), 403, "stack_not_owned");
    assertError(broker.admin().get("/stacks/" + UUID.randomUUID()), 404, "stack_not_found");
  }

  @Test
  void updateOverwritesFieldsAndChecksIdAndOwner() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    JsonObject doc = broker.as(gen.pak()).get("/stacks/" + stack).bodyAsJsonObject();

    var r = broker.as(gen.pak()).put("/stacks/" + stack, doc.copy().put("description", "changed"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("changed", r.bodyAsJsonObject().getString("description"));
    assertEquals("changed", broker.admin().get("/stacks/" + stack).bodyAsJsonObject().getString("description"));

    assertError(broker.as(gen.pak()).put("/stacks/" + stack, doc.copy().put("id", UUID.randomUUID().toString())),
        400, "stack_id_mismatch");
    assertError(broker.as(other.pak()).put("/stacks/" + stack, doc), 403, "stack_not_owned");
    String taken = broker.admin().get("/stacks/" + fx.stack(gen)).bodyAsJsonObject().getString("name");
    assertError(broker.as(gen.pak()).put("/stacks/" + stack, doc.copy().put("name", taken)), 409, "unique_violation");
    String missing = UUID.randomUUID().toString();
    assertError(broker.admin().put("/stacks/" + missing, doc.copy().put("id", missing)), 404, "stack_not_found");
  }

  @Test
  void onlyAdminMovesAStackToAnotherGenerator() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    JsonObject doc = broker.as(gen.pak()).get("/stacks/" + stack).bodyAsJsonObject();

    var denied = broker.as(gen.pak()).put("/stacks/" + stack, doc.copy().put("generator_id", other.id()));
    assertEquals(403, denied.statusCode(), denied.bodyAsString());
    assertEquals(gen.id(), broker.admin().get("/stacks/" + stack).bodyAsJsonObject().getString("generator_id"));

    assertError(broker.admin().put("/stacks/" + stack, doc.copy().put("generator_id", UUID.randomUUID().toString())),
        422, "foreign_key_violation");
    var moved = broker.admin().put("/stacks/" + stack, doc.copy().put("generator_id", other.id()));
    assertEquals(200, moved.statusCode(), moved.bodyAsString());
    assertEquals(other.id(), moved.bodyAsJsonObject().getString("generator_id"));
    assertEquals(200, broker.as(other.pak()).get("/stacks/" + stack).statusCode());
    assertError(broker.as(gen.pak()).get("/stacks/" + stack), 403, "stack_not_owned");
  }

  @Test
  void deleteIsForOwnerOrAdmin() {
    var gen = fx.generator();
    var other = fx.generator();
    String stack = fx.stack(gen);
    assertError(broker.as(other.pak()).delete("/stacks/" + stack), 403, "stack_not_owned");
    assertEquals(200, broker.as(gen.pak()).get("/stacks/" + stack).statusCode(), "a refused delete changes nothing");
    assertError(broker.admin().delete("/stacks/" + UUID.randomUUID()), 404, "stack_not_found");

    var r = broker.admin().delete("/stacks/" + stack);
    assertEquals(204, r.statusCode());
    assertEquals(0, r.body() == null ? 0 : r.body().length(), "204 has no body");
    assertError(broker.as(gen.pak()).get("/stacks/" + stack), 404, "stack_not_found");
    assertError(broker.as(gen.pak()).delete("/stacks/" + stack), 404, "stack_not_found");
    assertFalse(ids(broker.as(gen.pak()).get("/stacks").bodyAsJsonArray()).contains(stack));
  }

  @Test
  void deleteSoftDeletesObjectsAndAddsADeletionMarker() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String first = fx.deploymentObject(gen, stack, Fixtures.configMap("a")).getString("id");
    String second = fx.deploymentObject(gen, stack, Fixtures.configMap("b")).getString("id");

    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + stack).statusCode());

    List<Row> rows = sql("SELECT id, deleted_at, is_deletion_marker, yaml_content FROM deployment_objects "
        + "WHERE stack_id = $1 ORDER BY sequence_id", UUID.fromString(stack));
    assertEquals(3, rows.size());
    assertEquals(List.of(first, second), List.of(rows.get(0).getUUID("id").toString(), rows.get(1).getUUID("id").toString()));
    assertNotNull(rows.get(0).getOffsetDateTime("deleted_at"), "objects are soft-deleted");
    assertNotNull(rows.get(1).getOffsetDateTime("deleted_at"));
    assertTrue(rows.get(2).getBoolean("is_deletion_marker"), "a deletion marker is appended");
    assertEquals("", rows.get(2).getString("yaml_content"));
    assertNotNull(sql("SELECT deleted_at FROM stacks WHERE id = $1", UUID.fromString(stack)).get(0).getOffsetDateTime(0),
        "the stack row is kept, soft-deleted");
    assertEquals(404, broker.admin().get("/deployment-objects/" + first).statusCode());
  }

  @Test
  void createAndDeleteWriteOutboxEvents() {
    var gen = fx.generator();
    JsonObject body = newStack(gen.id()).put("description", "d");
    var created = broker.as(gen.pak()).post("/stacks", body).bodyAsJsonObject();
    String id = created.getString("id");

    List<Row> createdEvents = sql("SELECT payload, stack_id FROM event_outbox WHERE event_type = 'stack.created' "
        + "AND payload->'data'->>'stack_id' = $1", id);
    assertEquals(1, createdEvents.size());
    assertEquals(id, createdEvents.get(0).getUUID("stack_id").toString());
    JsonObject envelope = (JsonObject) createdEvents.get(0).getValue("payload");
    assertEquals("stack.created", envelope.getString("event_type"));
    assertNotNull(envelope.getString("id"));
    assertNotNull(envelope.getString("timestamp"));
    JsonObject data = envelope.getJsonObject("data");
    assertEquals(id, data.getString("stack_id"));
    assertEquals(body.getString("name"), data.getString("name"));
    assertEquals("d", data.getString("description"));
    assertEquals(created.getString("created_at"), data.getString("created_at"));

    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + id).statusCode());
    List<Row> deletedEvents = sql("SELECT payload FROM event_outbox WHERE event_type = 'stack.deleted' "
        + "AND stack_id = $1", UUID.fromString(id));
    assertEquals(1, deletedEvents.size());
    JsonObject deleted = ((JsonObject) deletedEvents.get(0).getValue("payload")).getJsonObject("data");
    assertEquals(id, deleted.getString("stack_id"));
    assertNotNull(deleted.getString("deleted_at"));
  }

  @Test
  void mutationsAreAuditedWithTheRealActor() {
    var gen = fx.generator();
    String stack = fx.stack(gen);
    List<Row> rows = sql("SELECT actor_type, actor_id FROM audit_logs WHERE action = 'stack.created' AND resource_id = $1",
        UUID.fromString(stack));
    assertEquals(1, rows.size());
    assertEquals("generator", rows.get(0).getString("actor_type"));
    assertEquals(gen.id(), rows.get(0).getUUID("actor_id").toString());

    assertEquals(204, broker.admin().delete("/stacks/" + stack).statusCode());
    List<Row> deleted = sql("SELECT actor_type FROM audit_logs WHERE action = 'stack.deleted' AND resource_id = $1",
        UUID.fromString(stack));
    assertEquals(1, deleted.size());
    assertEquals("admin", deleted.get(0).getString("actor_type"));
  }
}
