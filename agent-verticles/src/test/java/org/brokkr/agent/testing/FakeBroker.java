package org.brokkr.agent.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker endpoints the health and diagnostics timers call, answering with the shapes and
 * status codes of the reference contract ({@code brokkr-v1.json}) and recording what it got:
 * {@code PATCH /agents/{id}/health-status}, {@code GET /agents/{id}/diagnostics/pending},
 * {@code POST /diagnostics/{id}/claim}, {@code POST /diagnostics/{id}/result} and
 * {@code GET /deployment-objects/{id}}. Every call needs {@code Authorization: Bearer <pak>}.
 * Small on purpose: tests that use it should run unchanged against the real broker.
 */
public final class FakeBroker implements AutoCloseable {
  private final HttpServer server;
  private final String pak;
  private final List<JsonObject> healthReports = new CopyOnWriteArrayList<>();
  private final AtomicInteger healthAttempts = new AtomicInteger();
  private volatile int healthAnswer = 200;
  private final Map<UUID, JsonObject> requests = new ConcurrentHashMap<>();
  private final Map<UUID, JsonObject> results = new ConcurrentHashMap<>();
  private final Map<UUID, AtomicInteger> claims = new ConcurrentHashMap<>();
  private final Set<UUID> claimedElsewhere = ConcurrentHashMap.newKeySet();
  private final Map<UUID, JsonObject> deploymentObjects = new ConcurrentHashMap<>();
  private final AtomicInteger resultAttempts = new AtomicInteger();
  private volatile int resultAnswer = 201;

  private FakeBroker(HttpServer server, String pak) {
    this.server = server;
    this.pak = pak;
  }

  public static FakeBroker start(Vertx vertx, String pak) throws Exception {
    Router router = Router.router(vertx);
    FakeBroker[] self = new FakeBroker[1];
    router.route("/api/v1/*").handler(BodyHandler.create()).handler(ctx -> {
      if (!("Bearer " + pak).equals(ctx.request().getHeader("Authorization"))) {
        error(ctx, 401, "unauthorized", "missing or wrong PAK");
      } else {
        ctx.next();
      }
    });
    router.patch("/api/v1/agents/:id/health-status").handler(ctx -> self[0].health(ctx));
    router.get("/api/v1/agents/:id/diagnostics/pending").handler(ctx -> self[0].pending(ctx));
    router.post("/api/v1/diagnostics/:id/claim").handler(ctx -> self[0].claim(ctx));
    router.post("/api/v1/diagnostics/:id/result").handler(ctx -> self[0].result(ctx));
    router.get("/api/v1/deployment-objects/:id").handler(ctx -> self[0].deploymentObject(ctx));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    self[0] = new FakeBroker(server, pak);
    return self[0];
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  // --- health ---

  /** The bodies of the health updates accepted so far, oldest first. */
  public List<JsonObject> healthReports() {
    return List.copyOf(healthReports);
  }

  /** Health updates received, accepted or not. */
  public int healthAttempts() {
    return healthAttempts.get();
  }

  /** The status code health updates get from now on (200 accepts them). */
  public void answerHealthWith(int status) {
    healthAnswer = status;
  }

  private void health(RoutingContext ctx) {
    healthAttempts.incrementAndGet();
    JsonObject body = ctx.body().asJsonObject();
    JsonArray objects = body == null ? null : body.getJsonArray("deployment_objects");
    if (objects == null || objects.stream().anyMatch(o -> !(o instanceof JsonObject j)
        || j.getString("id") == null || j.getString("status") == null || j.getString("checked_at") == null)) {
      error(ctx, 400, "invalid_health_update", "deployment_objects[] needs id, status and checked_at");
      return;
    }
    if (healthAnswer != 200) {
      error(ctx, healthAnswer, "unavailable", "not now");
      return;
    }
    healthReports.add(body);
    ctx.response().setStatusCode(200).end();
  }

  // --- diagnostics ---

  /** Adds a pending diagnostic request for {@code agentId} about {@code deploymentObjectId}; returns its id. */
  public UUID requestDiagnostics(UUID agentId, UUID deploymentObjectId) {
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    requests.put(id, new JsonObject().put("id", id.toString()).put("agent_id", agentId.toString())
        .put("deployment_object_id", deploymentObjectId.toString()).put("status", "pending").put("requested_by", "test")
        .put("created_at", now.toString()).putNull("claimed_at").putNull("completed_at")
        .put("expires_at", now.plusSeconds(3600).toString()));
    return id;
  }

  /** The request stays listed as pending for this agent, but another claim wins it (409). */
  public void claimedElsewhere(UUID requestId) {
    claimedElsewhere.add(requestId);
  }

  public String status(UUID requestId) {
    return requests.get(requestId).getString("status");
  }

  public int claims(UUID requestId) {
    AtomicInteger n = claims.get(requestId);
    return n == null ? 0 : n.get();
  }

  /** Results received, accepted or not. */
  public int resultAttempts() {
    return resultAttempts.get();
  }

  /** The status code results get from now on (201 accepts them). */
  public void answerResultsWith(int status) {
    resultAnswer = status;
  }

  /** The result submitted for a request, or null. */
  public JsonObject result(UUID requestId) {
    return results.get(requestId);
  }

  /** Serves a deployment object ({@code DeploymentObject}) with this YAML. */
  public void deploymentObject(UUID id, UUID stackId, String yaml) {
    Instant now = Instant.now();
    deploymentObjects.put(id, new JsonObject().put("id", id.toString()).put("stack_id", stackId.toString())
        .put("created_at", now.toString()).put("updated_at", now.toString()).put("submitted_at", now.toString())
        .put("sequence_id", 1).put("yaml_content", yaml).put("yaml_checksum", "checksum").put("is_deletion_marker", false)
        .putNull("deleted_at"));
  }

  private void pending(RoutingContext ctx) {
    String agent = ctx.pathParam("id");
    JsonArray out = new JsonArray();
    requests.values().stream()
        .filter(r -> r.getString("agent_id").equals(agent))
        .filter(r -> r.getString("status").equals("pending"))
        .sorted((a, b) -> a.getString("created_at").compareTo(b.getString("created_at")))
        .forEach(out::add);
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(out.encode());
  }

  private void claim(RoutingContext ctx) {
    UUID id = UUID.fromString(ctx.pathParam("id"));
    JsonObject request = requests.get(id);
    if (request == null) {
      error(ctx, 404, "diagnostic_not_found", "no such diagnostic request");
      return;
    }
    claims.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    if (claimedElsewhere.remove(id)) {
      request.put("status", "claimed");
    }
    if (!request.getString("status").equals("pending")) {
      error(ctx, 409, "diagnostic_already_claimed", "request is already " + request.getString("status"));
      return;
    }
    request.put("status", "claimed").put("claimed_at", Instant.now().toString());
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(request.encode());
  }

  private void result(RoutingContext ctx) {
    resultAttempts.incrementAndGet();
    if (resultAnswer != 201) {
      error(ctx, resultAnswer, "unavailable", "not now");
      return;
    }
    UUID id = UUID.fromString(ctx.pathParam("id"));
    JsonObject request = requests.get(id);
    if (request == null) {
      error(ctx, 404, "diagnostic_not_found", "no such diagnostic request");
      return;
    }
    if (!request.getString("status").equals("claimed")) {
      error(ctx, 409, "diagnostic_not_claimed", "request is " + request.getString("status"));
      return;
    }
    JsonObject body = ctx.body().asJsonObject();
    if (body == null || !nonEmptyString(body.getValue("pod_statuses")) || !nonEmptyString(body.getValue("events"))
        || body.getString("collected_at") == null
        || (body.getValue("log_tails") != null && !(body.getValue("log_tails") instanceof String))) {
      error(ctx, 400, "invalid_diagnostic_result", "pod_statuses and events must be non-empty strings");
      return;
    }
    results.put(id, body);
    request.put("status", "completed").put("completed_at", Instant.now().toString());
    // not UUID.randomUUID(): on an event loop that may read the OS entropy source
    JsonObject stored = new JsonObject().put("id", new UUID(id.getMostSignificantBits(), results.size()).toString()).put("request_id", id.toString())
        .put("pod_statuses", body.getString("pod_statuses")).put("events", body.getString("events"))
        .put("log_tails", body.getValue("log_tails")).put("collected_at", body.getString("collected_at"))
        .put("created_at", Instant.now().toString());
    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(stored.encode());
  }

  private void deploymentObject(RoutingContext ctx) {
    JsonObject object = deploymentObjects.get(UUID.fromString(ctx.pathParam("id")));
    if (object == null) {
      error(ctx, 404, "deployment_object_not_found", "no such deployment object");
      return;
    }
    ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(object.encode());
  }

  private static boolean nonEmptyString(Object value) {
    return value instanceof String s && !s.isEmpty();
  }

  private static void error(RoutingContext ctx, int status, String code, String message) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("code", code).put("message", message).encode());
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
