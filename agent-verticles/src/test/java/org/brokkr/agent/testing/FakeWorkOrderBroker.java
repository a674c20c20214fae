package org.brokkr.agent.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's work-order endpoints as the reference contract shapes them, for agent tests until
 * the broker serves them: pending list, claim (404 {@code work_order_not_claimable} unless the
 * order is PENDING and targets the agent), complete (202 {@code retry_scheduled} while retries are
 * left, else 200 with the log entry), and the admin reads a test checks results with. It records
 * every claim and complete request it received, and can refuse a claim on demand.
 */
public final class FakeWorkOrderBroker implements AutoCloseable {
  private static final Pattern PENDING = Pattern.compile("/api/v1/agents/([^/]+)/work-orders/pending");
  private static final Pattern ACTION = Pattern.compile("/api/v1/work-orders/([^/]+)/(claim|complete)");

  /** A request received for a work order: {@code claim} or {@code complete}, and its JSON body. */
  public record Received(String action, String workOrderId, JsonObject body) {}

  private final String pak;
  private final HttpServer server;
  private final Map<String, JsonObject> active = new LinkedHashMap<>();
  private final Map<String, String> targets = new LinkedHashMap<>();
  private final Map<String, Long> retryDueMillis = new LinkedHashMap<>();
  private final Map<String, Integer> refusals = new LinkedHashMap<>();
  private final Map<String, Integer> unavailableCompletes = new LinkedHashMap<>();
  private final Map<String, JsonObject> log = new LinkedHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger pendingPolls = new AtomicInteger();

  private FakeWorkOrderBroker(Vertx vertx, String pak) {
    this.pak = pak;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
  }

  /** Listens on a free port of 127.0.0.1; agent requests must carry {@code Bearer <pak>}. */
  public static FakeWorkOrderBroker start(Vertx vertx, String pak) throws Exception {
    FakeWorkOrderBroker broker = new FakeWorkOrderBroker(vertx, pak);
    broker.server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return broker;
  }

  public int port() {
    return server.actualPort();
  }

  /** Queues a work order for one agent, as {@code POST /work-orders} with {@code targeting.agent_ids} would. */
  public synchronized String create(String workType, String yaml, UUID agent, int claimTimeoutSeconds, int maxRetries) {
    String id = UUID.randomUUID().toString();
    String now = Instant.now().toString();
    active.put(id, new JsonObject().put("id", id).put("created_at", now).put("updated_at", now).put("work_type", workType)
        .put("yaml_content", yaml).put("status", "PENDING").putNull("claimed_by").putNull("claimed_at")
        .put("claim_timeout_seconds", claimTimeoutSeconds).put("max_retries", maxRetries).put("retry_count", 0)
        .put("backoff_seconds", 1).putNull("next_retry_after").putNull("last_error").putNull("last_error_at"));
    targets.put(id, agent.toString());
    return id;
  }

  /** The next claim of {@code workOrderId} is answered with {@code status} (404 or 409) and changes nothing. */
  public synchronized void refuseNextClaim(String workOrderId, int status) {
    refusals.put(workOrderId, status);
  }

  /** The next {@code times} completions of {@code workOrderId} are answered 503, as a broker that is restarting. */
  public synchronized void failNextCompletes(String workOrderId, int times) {
    unavailableCompletes.put(workOrderId, times);
  }

  /** Claim and complete requests received for one work order, in order. */
  public List<Received> received(String workOrderId) {
    return received.stream().filter(r -> r.workOrderId().equals(workOrderId)).toList();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** How many times an agent asked for its pending work orders. */
  public int pendingPolls() {
    return pendingPolls.get();
  }

  /** The terminal record ({@code WorkOrderLog}) of a finished work order; null while it is active. */
  public synchronized JsonObject logEntry(String workOrderId) {
    return log.get(workOrderId);
  }

  /** The active work order ({@code WorkOrder}); null once it finished. */
  public synchronized JsonObject order(String workOrderId) {
    JsonObject order = active.get(workOrderId);
    return order == null ? null : order.copy();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(buffer -> {
      if (!("Bearer " + pak).equals(request.getHeader("Authorization"))) {
        error(request, 401, "unauthorized", "missing or invalid PAK");
        return;
      }
      JsonObject body = buffer.length() == 0 ? new JsonObject() : buffer.toJsonObject();
      Matcher pending = PENDING.matcher(request.path());
      Matcher action = ACTION.matcher(request.path());
      if (request.method().name().equals("GET") && pending.matches()) {
        pendingPolls.incrementAndGet();
        json(request, 200, pending(pending.group(1)).encode());
      } else if (request.method().name().equals("POST") && action.matches()) {
        received.add(new Received(action.group(2), action.group(1), body));
        if (action.group(2).equals("claim")) {
          claim(request, action.group(1), body);
        } else {
          complete(request, action.group(1), body);
        }
      } else {
        error(request, 404, "not_found", "no such route in the fake broker");
      }
    });
  }

  private synchronized JsonArray pending(String agentId) {
    long now = System.currentTimeMillis();
    JsonArray out = new JsonArray();
    for (JsonObject order : active.values()) {
      String id = order.getString("id");
      if ("RETRY_PENDING".equals(order.getString("status")) && retryDueMillis.getOrDefault(id, Long.MAX_VALUE) <= now) {
        order.put("status", "PENDING").putNull("next_retry_after");
      }
      if ("PENDING".equals(order.getString("status")) && agentId.equals(targets.get(id))) {
        out.add(order.copy());
      }
    }
    return out;
  }

  private synchronized void claim(HttpServerRequest request, String id, JsonObject body) {
    JsonObject order = active.get(id);
    Integer refusal = refusals.remove(id);
    if (refusal != null) {
      error(request, refusal, "work_order_not_claimable", "work order is not claimable");
    } else if (order == null || !"PENDING".equals(order.getString("status")) || !body.getString("agent_id", "").equals(targets.get(id))) {
      error(request, 404, "work_order_not_claimable", "work order is not claimable");
    } else {
      order.put("status", "CLAIMED").put("claimed_by", body.getString("agent_id")).put("claimed_at", Instant.now().toString());
      json(request, 200, order.encode());
    }
  }

  private synchronized void complete(HttpServerRequest request, String id, JsonObject body) {
    int unavailable = unavailableCompletes.getOrDefault(id, 0);
    if (unavailable > 0) {
      unavailableCompletes.put(id, unavailable - 1);
      error(request, 503, "service_unavailable", "the broker is not ready");
      return;
    }
    JsonObject order = active.get(id);
    if (order == null) {
      error(request, 404, "work_order_not_found", "work order not found");
      return;
    }
    boolean success = body.getBoolean("success", false);
    int retries = order.getInteger("retry_count");
    if (!success && body.getBoolean("retryable", true) && retries + 1 <= order.getInteger("max_retries")) {
      long backoff = order.getInteger("backoff_seconds") * (1L << (retries + 1));
      retryDueMillis.put(id, System.currentTimeMillis() + backoff * 1000);
      order.put("status", "RETRY_PENDING").put("retry_count", retries + 1).putNull("claimed_by").putNull("claimed_at")
          .put("next_retry_after", Instant.now().plusSeconds(backoff).toString())
          .put("last_error", body.getString("message", "Unknown error")).put("last_error_at", Instant.now().toString());
      json(request, 202, new JsonObject().put("status", "retry_scheduled").encode());
      return;
    }
    active.remove(id);
    JsonObject entry = new JsonObject().put("id", id).put("work_type", order.getString("work_type"))
        .put("created_at", order.getString("created_at")).put("claimed_at", order.getString("claimed_at"))
        .put("completed_at", Instant.now().toString()).put("claimed_by", order.getString("claimed_by")).put("success", success)
        .put("retries_attempted", retries).put("result_message", body.getString("message"))
        .put("yaml_content", order.getString("yaml_content"));
    log.put(id, entry);
    json(request, 200, entry.encode());
  }

  private static void json(HttpServerRequest request, int status, String body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  private static void error(HttpServerRequest request, int status, String code, String message) {
    json(request, status, new JsonObject().put("code", code).put("message", message).encode());
  }

  /** Names of the work orders received, for failure messages. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    received.forEach(r -> out.add(r.action() + " " + r.workOrderId() + " " + r.body().encode()));
    return out;
  }

  @Override
  public void close() throws Exception {
    server.close().await(10, TimeUnit.SECONDS);
  }
}
