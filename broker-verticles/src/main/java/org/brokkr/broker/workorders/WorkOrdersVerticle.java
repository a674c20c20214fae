package org.brokkr.broker.workorders;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Locale;
import java.util.Set;
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

/** Managing work orders and reading their log: admin only. */
public final class WorkOrdersVerticle extends ResourceVerticle {
  static final String RESOURCE = "work_order";
  private static final Set<String> STATUSES = Set.of(WorkOrderRepository.PENDING, WorkOrderRepository.CLAIMED,
      WorkOrderRepository.RETRY_PENDING);
  private static final String BAD_QUERY = "invalid_query_parameter";

  private final Pool pool;
  private final WorkOrderRepository orders = new WorkOrderRepository();

  public WorkOrdersVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.WORK_ORDERS;
  }

  @Override
  protected void defineOperations() {
    on("create_work_order", this::create);
    on("list_work_orders", this::list);
    on("get_work_order", this::get);
    on("delete_work_order", this::delete);
    on("list_work_order_log", this::listLog);
    on("get_work_order_log", this::getLog);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Access.requireAdmin(req.caller());
    NewWorkOrder order = NewWorkOrder.parse(req.jsonObjectBody(NewWorkOrder.INVALID));
    // an unknown agent id fails the target insert (422 foreign_key_violation) and nothing is kept
    return pool.withTransaction(conn -> orders.insert(conn, order).compose(created -> {
      UUID id = UUID.fromString(created.getString("id"));
      JsonObject data = new JsonObject()
          .put("work_order_id", id.toString())
          .put("work_type", created.getString("work_type"))
          .put("status", created.getString("status"))
          .put("created_at", created.getString("created_at"));
      return Journal.event(conn, EventTypes.WORKORDER_CREATED, data, null, null)
          .compose(v -> Journal.audit(conn, AuditEntry.of(req, "workorder.created", RESOURCE, id,
              new JsonObject().put("work_type", order.workType()))))
          .map(v -> ApiResponse.created(created));
    }));
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Access.requireAdmin(req.caller());
    String status = req.queryParam("status").orElse(null);
    if (status != null && !STATUSES.contains(status)) {
      throw ApiError.invalid(BAD_QUERY, "status must be one of PENDING, CLAIMED, RETRY_PENDING");
    }
    return orders.list(pool, status, req.queryParam("work_type").orElse(null)).map(ApiResponse::ok);
  }

  /** An order in the queue, or one that finished, rebuilt from its log entry. */
  private Future<ApiResponse> get(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    return orders.find(pool, id).compose(active -> {
      if (active != null) {
        return Future.succeededFuture(ApiResponse.ok(active));
      }
      return orders.findLog(pool, id).map(log -> {
        if (log == null) {
          throw ApiError.notFound("work_order_not_found", "work order not found");
        }
        return ApiResponse.ok(WorkOrderRepository.asOrder(log));
      });
    });
  }

  /** Cancels an order of the queue (its targeting goes with it); finished orders stay in the log. */
  private Future<ApiResponse> delete(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    return pool.withTransaction(conn -> orders.delete(conn, id).compose(gone -> {
      if (gone == null) {
        throw ApiError.notFound("work_order_not_found", "work order not found");
      }
      return Journal.audit(conn, AuditEntry.of(req, "workorder.deleted", RESOURCE, id,
          new JsonObject().put("work_type", gone.getString("work_type")))).map(v -> ApiResponse.noContent());
    }));
  }

  private Future<ApiResponse> listLog(ApiRequest req) {
    Access.requireAdmin(req.caller());
    Boolean success = req.queryParam("success").map(WorkOrdersVerticle::bool).orElse(null);
    UUID agentId = req.queryParam("agent_id").map(v -> Fields.uuid(v, "agent_id", BAD_QUERY)).orElse(null);
    Long limit = req.queryParam("limit").map(WorkOrdersVerticle::limit).orElse(null);
    return orders.listLog(pool, req.queryParam("work_type").orElse(null), success, agentId, limit).map(ApiResponse::ok);
  }

  private Future<ApiResponse> getLog(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return orders.findLog(pool, req.pathId("id")).map(log -> {
      if (log == null) {
        throw ApiError.notFound("work_order_log_entry_not_found", "work order log entry not found");
      }
      return ApiResponse.ok(log);
    });
  }

  private static Boolean bool(String raw) {
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw ApiError.invalid(BAD_QUERY, "success must be true or false");
    };
  }

  private static Long limit(String raw) {
    try {
      long value = Long.parseLong(raw.trim());
      if (value < 0) {
        throw ApiError.invalid(BAD_QUERY, "limit must not be negative");
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiError.invalid(BAD_QUERY, "limit must be an integer");
    }
  }
}
