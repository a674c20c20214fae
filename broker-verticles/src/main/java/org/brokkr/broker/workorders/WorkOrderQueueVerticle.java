package org.brokkr.broker.workorders;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.UUID;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.EventTypes;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;

/**
 * The agents' side of the queue: what an agent may claim, the claim, and the outcome. An agent
 * claims only orders it is eligible for, and reports only on the order it holds the claim on.
 */
public final class WorkOrderQueueVerticle extends ResourceVerticle {
  private static final String RESOURCE = WorkOrdersVerticle.RESOURCE;
  private static final String UNKNOWN_ERROR = "Unknown error";

  private final Pool pool;
  private final WorkOrderRepository orders = new WorkOrderRepository();

  public WorkOrderQueueVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.WORK_ORDER_QUEUE;
  }

  @Override
  protected void defineOperations() {
    on("list_pending_for_agent", this::pending);
    on("claim_work_order", this::claim);
    on("complete_work_order", this::complete);
  }

  private Future<ApiResponse> pending(ApiRequest req) {
    UUID agentId = req.pathId("agent_id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    return orders.pendingFor(pool, agentId, req.queryParam("work_type").orElse(null)).map(ApiResponse::ok);
  }

  private Future<ApiResponse> claim(ApiRequest req) {
    UUID id = req.pathId("id");
    JsonObject body = req.jsonObjectBody(NewWorkOrder.INVALID);
    UUID agentId = Fields.uuid(body.getValue("agent_id"), "agent_id", NewWorkOrder.INVALID);
    if (agentId == null) {
      throw ApiError.invalid(NewWorkOrder.INVALID, "agent_id is required");
    }
    Access.requireAdminOrAgent(req.caller(), agentId);
    return pool.withTransaction(conn -> orders.claim(conn, id, agentId).compose(claimed -> {
      if (claimed == null) {
        throw ApiError.notFound("work_order_not_claimable",
            "work order not found, not pending, or not targeted at this agent");
      }
      JsonObject data = new JsonObject()
          .put("work_order_id", id.toString())
          .put("work_type", claimed.getString("work_type"))
          .put("agent_id", agentId.toString())
          .put("claimed_at", claimed.getString("claimed_at"));
      return Journal.event(conn, EventTypes.WORKORDER_CLAIMED, data, agentId, null)
          .compose(v -> Journal.audit(conn, AuditEntry.of(req, "workorder.claimed", RESOURCE, id,
              new JsonObject().put("work_type", claimed.getString("work_type")).put("agent_id", agentId.toString()))))
          .map(v -> ApiResponse.ok(claimed));
    }));
  }

  /**
   * Success moves the order to the log (200 WorkOrderLog). A failure is retried while it is
   * retryable and retries remain (202 {@code {"status":"retry_scheduled"}}), else logged as failed.
   * Only a CLAIMED order can be completed, by its claimant or an admin.
   */
  private Future<ApiResponse> complete(ApiRequest req) {
    UUID id = req.pathId("id");
    Identity caller = req.caller();
    if (!caller.isAdmin() && caller.kind() != Identity.Kind.AGENT) {
      throw ApiError.forbidden("agent_pak_required", "only the claiming agent or an admin may complete a work order");
    }
    Outcome outcome = Outcome.parse(req.jsonObjectBody(NewWorkOrder.INVALID));
    return pool.withTransaction(conn -> orders.lock(conn, id).compose(order -> {
      if (order == null) {
        throw ApiError.notFound("work_order_not_found", "work order not found");
      }
      String claimant = order.getString("claimed_by");
      if (!caller.isAdmin() && !caller.id().toString().equals(claimant)) {
        throw ApiError.forbidden("work_order_not_claimed_by_agent",
            "this agent does not hold the claim on the work order (it may have expired)");
      }
      String status = order.getString("status");
      if (!WorkOrderRepository.CLAIMED.equals(status)) {
        throw new ApiError(Failure.CONFLICT, "work_order_not_claimed",
            "the work order is " + status + "; only a CLAIMED work order can be completed");
      }
      if (outcome.success()) {
        return finish(conn, req, order, true, outcome.message(), outcome.retryable());
      }
      String error = outcome.message() == null ? UNKNOWN_ERROR : outcome.message();
      int attempt = order.getInteger("retry_count") + 1;
      if (!outcome.retryable() || attempt > order.getInteger("max_retries")) {
        return finish(conn, req, order, false, error, outcome.retryable());
      }
      return retry(conn, req, order, attempt, error);
    }));
  }

  private Future<ApiResponse> finish(SqlConnection conn, ApiRequest req, JsonObject order, boolean success,
      String message, boolean retryable) {
    UUID id = UUID.fromString(order.getString("id"));
    String claimant = order.getString("claimed_by");
    return orders.moveToLog(conn, id, success, message).compose(log -> {
      JsonObject data = new JsonObject()
          .put("work_order_log_id", log.getString("id"))
          .put("work_type", log.getString("work_type"))
          .put("success", success)
          .put("result_message", log.getString("result_message"))
          .put("agent_id", claimant)
          .put("completed_at", log.getString("completed_at"));
      JsonObject details = new JsonObject().put("work_type", log.getString("work_type"));
      if (!success) {
        details.put("retryable", retryable);
      }
      return Journal.event(conn, success ? EventTypes.WORKORDER_COMPLETED : EventTypes.WORKORDER_FAILED, data,
              claimant == null ? null : UUID.fromString(claimant), null)
          .compose(v -> Journal.audit(conn, AuditEntry.of(req, success ? "workorder.completed" : "workorder.failed",
              RESOURCE, id, details)))
          .map(v -> ApiResponse.ok(log));
    });
  }

  private Future<ApiResponse> retry(SqlConnection conn, ApiRequest req, JsonObject order, int attempt, String error) {
    UUID id = UUID.fromString(order.getString("id"));
    long delay = RetryBackoff.delaySeconds(order.getInteger("backoff_seconds"), attempt);
    return orders.scheduleRetry(conn, id, delay, error).compose(updated -> Journal.audit(conn,
            AuditEntry.of(req, "workorder.retry", RESOURCE, id, new JsonObject()
                .put("work_type", updated.getString("work_type"))
                .put("retryable", true)
                .put("retry_count", updated.getInteger("retry_count"))
                .put("next_retry_after", updated.getString("next_retry_after"))))
        .map(v -> new ApiResponse(202, new JsonObject().put("status", "retry_scheduled"), ApiResponse.JSON)));
  }

  /** A checked {@code CompleteWorkOrderRequest}. */
  record Outcome(boolean success, String message, boolean retryable) {
    static Outcome parse(JsonObject body) {
      if (!(body.getValue("success") instanceof Boolean success)) {
        throw ApiError.invalid(NewWorkOrder.INVALID, "success is required and must be true or false");
      }
      String message = Fields.optionalString(body.getValue("message"), "message", NewWorkOrder.INVALID);
      Object retryable = body.containsKey("retryable") ? body.getValue("retryable") : Boolean.TRUE;
      if (!(retryable instanceof Boolean r)) {
        throw ApiError.invalid(NewWorkOrder.INVALID, "retryable must be true or false");
      }
      return new Outcome(success, message, r);
    }
  }
}
