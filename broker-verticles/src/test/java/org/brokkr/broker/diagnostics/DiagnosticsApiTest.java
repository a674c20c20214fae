package org.brokkr.broker.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DiagnosticsApiTest {
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

  /** A generator with a stack and one object, and an agent registered with it (not associated). */
  private record World(Fixtures.Generator gen, Fixtures.Agent agent, String objectId) {}

  private static World world() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    String object = fx.deploymentObject(gen, stack, Fixtures.configMap("cm-" + UUID.randomUUID())).getString("id");
    return new World(gen, agent, object);
  }

  static HttpResponse<Buffer> request(String pak, String objectId, JsonObject body) {
    return broker.as(pak).post("/deployment-objects/" + objectId + "/diagnostics", body);
  }

  static JsonObject created(World w) {
    var r = request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", w.agent().id()).put("requested_by", "ops"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject result() {
    return new JsonObject().put("pod_statuses", "[{\"name\":\"web-0\",\"phase\":\"Running\"}]")
        .put("events", "[]").put("log_tails", "{\"web-0/app\":\"started\"}")
        .put("collected_at", "2026-01-01T10:00:00Z");
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
      throw new IllegalStateException(e);
    }
  }

  private static long requestsOf(String objectId) {
    return sql("SELECT count(*) FROM diagnostic_requests WHERE deployment_object_id = $1", UUID.fromString(objectId))
        .get(0).getLong(0);
  }

  private static String status(String requestId) {
    return sql("SELECT status FROM diagnostic_requests WHERE id = $1", UUID.fromString(requestId)).get(0).getString(0);
  }

  @Test
  void adminCreatesAPendingRequestThatExpiresAfterTheRetention() {
    var w = world();
    JsonObject d = created(w);
    UUID.fromString(d.getString("id"));
    assertEquals(w.agent().id(), d.getString("agent_id"));
    assertEquals(w.objectId(), d.getString("deployment_object_id"));
    assertEquals("pending", d.getString("status"));
    assertEquals("ops", d.getString("requested_by"));
    assertNull(d.getValue("claimed_at"));
    assertNull(d.getValue("completed_at"));
    Duration retention = Duration.between(OffsetDateTime.parse(d.getString("created_at")), OffsetDateTime.parse(d.getString("expires_at")));
    assertEquals(Duration.ofMinutes(60), retention, "created_at and expires_at come from one statement's clock");

    var custom = request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", w.agent().id()).put("retention_minutes", 1440));
    assertEquals(201, custom.statusCode(), custom.bodyAsString());
    Duration day = Duration.between(OffsetDateTime.parse(custom.bodyAsJsonObject().getString("created_at")),
        OffsetDateTime.parse(custom.bodyAsJsonObject().getString("expires_at")));
    assertEquals(Duration.ofMinutes(1440), day);
    assertEquals(201, request(broker.adminPak, w.objectId(),
        new JsonObject().put("agent_id", w.agent().id()).put("retention_minutes", 1).putNull("requested_by")).statusCode());

    var audit = sql("SELECT actor_type, details FROM audit_logs WHERE action = 'diagnostic.created' AND resource_id = $1",
        UUID.fromString(d.getString("id")));
    assertEquals(1, audit.size());
    assertEquals("admin", audit.get(0).getString("actor_type"));
  }

  @Test
  void badCreateRequestsAreRefusedAndStoreNothing() {
    var w = world();
    String agent = w.agent().id();
    for (Object retention : List.of(0, 1441, -5, "60", 1.5)) {
      assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", agent).put("retention_minutes", retention)),
          400, "invalid_diagnostic_request");
    }
    assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("requested_by", "ops")), 400, "invalid_diagnostic_request");
    var byContract = request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", agent).put("retention_minutes", 0));
    assertTrue(byContract.bodyAsJsonObject().getString("message").contains("request body"),
        "the contract refuses it, with the operation's code: " + byContract.bodyAsString());
    assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", "nope")), 400, "invalid_diagnostic_request");
    assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", agent).put("requested_by", "x".repeat(256))),
        400, "invalid_diagnostic_request");
    assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", agent).put("requested_by", 7)),
        400, "invalid_diagnostic_request");
    assertError(request(broker.adminPak, UUID.randomUUID().toString(), new JsonObject().put("agent_id", agent)),
        404, "deployment_object_not_found");
    assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", UUID.randomUUID().toString())),
        404, "agent_not_found");
    var gone = fx.agent(List.of(w.gen().id()));
    assertEquals(204, broker.admin().delete("/agents/" + gone.id()).statusCode());
    assertError(request(broker.adminPak, w.objectId(), new JsonObject().put("agent_id", gone.id())), 404, "agent_not_found");
    assertError(request(w.agent().pak(), w.objectId(), new JsonObject().put("agent_id", agent)), 403, "admin_required");
    assertError(request(w.gen().pak(), w.objectId(), new JsonObject().put("agent_id", agent)), 403, "admin_required");
    assertEquals(0, requestsOf(w.objectId()), "no refused request was stored");
  }

  @Test
  void pendingListsTheAgentsUnexpiredPendingRequestsOldestFirst() {
    var w = world();
    var other = world();
    String first = created(w).getString("id");
    String second = created(w).getString("id");
    String claimed = created(w).getString("id");
    String expired = created(w).getString("id");
    created(other);
    assertEquals(200, broker.as(w.agent().pak()).post("/diagnostics/" + claimed + "/claim", null).statusCode());
    sql("UPDATE diagnostic_requests SET expires_at = now() - interval '1 second' WHERE id = $1", UUID.fromString(expired));

    var r = broker.as(w.agent().pak()).get("/agents/" + w.agent().id() + "/diagnostics/pending");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(List.of(first, second), ids(r.bodyAsJsonArray()));
    assertEquals(List.of(first, second), ids(broker.admin().get("/agents/" + w.agent().id() + "/diagnostics/pending").bodyAsJsonArray()));
    assertError(broker.as(other.agent().pak()).get("/agents/" + w.agent().id() + "/diagnostics/pending"), 403, "agent_pak_mismatch");
    assertError(broker.as(w.gen().pak()).get("/agents/" + w.agent().id() + "/diagnostics/pending"), 403, "agent_pak_mismatch");
  }

  private static List<String> ids(JsonArray list) {
    return list.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void theAssignedAgentClaimsOnceAndAnyFurtherClaimConflicts() {
    var w = world();
    var stranger = world();
    String id = created(w).getString("id");
    assertError(broker.as(stranger.agent().pak()).post("/diagnostics/" + id + "/claim", null), 403, "diagnostic_not_owned");
    assertError(broker.as(w.gen().pak()).post("/diagnostics/" + id + "/claim", null), 403, "diagnostic_not_owned");
    assertEquals("pending", status(id), "refused claims changed nothing");

    var r = broker.as(w.agent().pak()).post("/diagnostics/" + id + "/claim", null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("claimed", r.bodyAsJsonObject().getString("status"));
    assertNotNull(r.bodyAsJsonObject().getString("claimed_at"));

    var again = broker.as(w.agent().pak()).post("/diagnostics/" + id + "/claim", null);
    assertError(again, 409, "diagnostic_already_claimed");
    assertEquals("request is already claimed", again.bodyAsJsonObject().getString("message"));
    assertError(broker.admin().post("/diagnostics/" + id + "/claim", null), 409, "diagnostic_already_claimed");
    assertError(broker.as(w.agent().pak()).post("/diagnostics/" + UUID.randomUUID() + "/claim", null), 404, "diagnostic_not_found");
    assertEquals(1, sql("SELECT count(*) FROM audit_logs WHERE action = 'diagnostic.claimed' AND resource_id = $1",
        UUID.fromString(id)).get(0).getLong(0));
  }

  @Test
  void adminMayClaimButAnExpiredRequestCannotBeClaimed() {
    var w = world();
    String byAdmin = created(w).getString("id");
    var r = broker.admin().post("/diagnostics/" + byAdmin + "/claim", null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(w.agent().id(), r.bodyAsJsonObject().getString("agent_id"), "the assignment does not change");

    String lapsed = created(w).getString("id");
    sql("UPDATE diagnostic_requests SET expires_at = now() - interval '1 second' WHERE id = $1", UUID.fromString(lapsed));
    var late = broker.as(w.agent().pak()).post("/diagnostics/" + lapsed + "/claim", null);
    assertError(late, 409, "diagnostic_already_claimed");
    assertEquals("request is already expired", late.bodyAsJsonObject().getString("message"));
    assertEquals("pending", status(lapsed));
  }

  @Test
  void theAssignedAgentSubmitsTheReferenceResultAndTheRequestCompletes() {
    var w = world();
    String id = created(w).getString("id");
    String path = "/diagnostics/" + id + "/result";
    assertError(broker.as(w.agent().pak()).post(path, result()), 409, "diagnostic_not_claimed");
    assertEquals(200, broker.as(w.agent().pak()).post("/diagnostics/" + id + "/claim", null).statusCode());

    var before = broker.as(w.agent().pak()).get("/diagnostics/" + id);
    assertEquals(200, before.statusCode(), before.bodyAsString());
    assertEquals("claimed", before.bodyAsJsonObject().getJsonObject("request").getString("status"));
    assertTrue(before.bodyAsJsonObject().containsKey("result"));
    assertNull(before.bodyAsJsonObject().getValue("result"));

    var r = broker.as(w.agent().pak()).post(path, result());
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject stored = r.bodyAsJsonObject();
    assertEquals(id, stored.getString("request_id"));
    assertEquals(result().getString("pod_statuses"), stored.getString("pod_statuses"));
    assertEquals("[]", stored.getString("events"));
    assertEquals(result().getString("log_tails"), stored.getString("log_tails"));
    assertEquals(OffsetDateTime.parse("2026-01-01T10:00:00Z").toInstant(), OffsetDateTime.parse(stored.getString("collected_at")).toInstant());
    assertNull(stored.getValue("error"));

    var after = broker.admin().get("/diagnostics/" + id).bodyAsJsonObject();
    assertEquals("completed", after.getJsonObject("request").getString("status"));
    assertNotNull(after.getJsonObject("request").getString("completed_at"));
    assertEquals(stored, after.getJsonObject("result"));

    assertError(broker.as(w.agent().pak()).post(path, result()), 409, "diagnostic_not_claimed");
    assertEquals(1, sql("SELECT count(*) FROM diagnostic_results WHERE request_id = $1", UUID.fromString(id)).get(0).getLong(0));
    assertEquals(1, sql("SELECT count(*) FROM audit_logs WHERE action = 'diagnostic.completed' AND resource_id = $1",
        UUID.fromString(id)).get(0).getLong(0));
  }

  @Test
  void aCollectionErrorEndsTheRequestAsFailedWithTheError() {
    var w = world();
    String id = created(w).getString("id");
    assertEquals(200, broker.as(w.agent().pak()).post("/diagnostics/" + id + "/claim", null).statusCode());
    JsonObject failed = new JsonObject().put("pod_statuses", "[]").put("events", "[]").putNull("log_tails")
        .put("collected_at", "2026-01-01T10:00:00+02:00").put("error", "pods is forbidden: cannot list pods in namespace web");
    var r = broker.as(w.agent().pak()).post("/diagnostics/" + id + "/result", failed);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("pods is forbidden: cannot list pods in namespace web", r.bodyAsJsonObject().getString("error"));

    JsonObject after = broker.as(w.agent().pak()).get("/diagnostics/" + id).bodyAsJsonObject();
    assertEquals("failed", after.getJsonObject("request").getString("status"));
    assertNotNull(after.getJsonObject("request").getString("completed_at"));
    assertEquals(failed.getString("error"), after.getJsonObject("result").getString("error"));
    assertEquals(1, sql("SELECT count(*) FROM audit_logs WHERE action = 'diagnostic.failed' AND resource_id = $1",
        UUID.fromString(id)).get(0).getLong(0));
  }

  @Test
  void badOrForeignResultsAreRefusedAndChangeNothing() {
    var w = world();
    var stranger = world();
    String id = created(w).getString("id");
    String path = "/diagnostics/" + id + "/result";
    assertEquals(200, broker.as(w.agent().pak()).post("/diagnostics/" + id + "/claim", null).statusCode());

    List<JsonObject> bad = List.of(
        result().put("pod_statuses", ""),
        result().put("events", ""),
        result().putNull("events"),
        result().put("pod_statuses", 5),
        result().put("log_tails", List.of("x")),
        result().put("collected_at", "yesterday"),
        withoutField(result(), "collected_at"),
        withoutField(result(), "pod_statuses"),
        result().put("error", ""),
        result().put("error", 42),
        result().put("error", "e".repeat(4097)));
    for (JsonObject body : bad) {
      assertError(broker.as(w.agent().pak()).post(path, body), 400, "invalid_diagnostic_result");
    }
    assertError(broker.admin().post(path, result()), 403, "diagnostic_not_owned");
    assertError(broker.as(stranger.agent().pak()).post(path, result()), 403, "diagnostic_not_owned");
    assertError(broker.as(w.gen().pak()).post(path, result()), 403, "diagnostic_not_owned");
    assertError(broker.as(w.agent().pak()).post("/diagnostics/" + UUID.randomUUID() + "/result", result()), 404, "diagnostic_not_found");
    assertEquals("claimed", status(id), "nothing refused changed the request");
    assertEquals(0, sql("SELECT count(*) FROM diagnostic_results WHERE request_id = $1", UUID.fromString(id)).get(0).getLong(0));
    assertEquals(201, broker.as(w.agent().pak()).post(path, result()).statusCode(), "control: a good result is accepted");
  }

  private static JsonObject withoutField(JsonObject o, String field) {
    o.remove(field);
    return o;
  }

  @Test
  void onlyAdminAndTheAssignedAgentMayReadARequest() {
    var w = world();
    var stranger = world();
    String id = created(w).getString("id");
    assertEquals(200, broker.admin().get("/diagnostics/" + id).statusCode());
    assertEquals(200, broker.as(w.agent().pak()).get("/diagnostics/" + id).statusCode());
    assertError(broker.as(stranger.agent().pak()).get("/diagnostics/" + id), 403, "diagnostic_not_owned");
    assertError(broker.as(w.gen().pak()).get("/diagnostics/" + id), 403, "diagnostic_not_owned");
    assertError(broker.admin().get("/diagnostics/" + UUID.randomUUID()), 404, "diagnostic_not_found");
    assertError(broker.admin().get("/diagnostics/not-a-uuid"), 400, "invalid_request");
  }
}
