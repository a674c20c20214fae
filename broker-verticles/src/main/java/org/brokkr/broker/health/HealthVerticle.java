package org.brokkr.broker.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.deployments.DeploymentObjectRepository;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;

/**
 * Deployment health: agents report per-object health in batches; admins read it per object and
 * rolled up per stack. A batch is stored whole or not at all. Like the reference, health reports
 * are not written to the audit log: they repeat every minute per agent and change no desired state.
 */
public final class HealthVerticle extends ResourceVerticle {
  private final Pool pool;
  private final HealthRepository repo = new HealthRepository();
  private final DeploymentObjectRepository objects = new DeploymentObjectRepository();

  public HealthVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.HEALTH;
  }

  @Override
  protected void defineOperations() {
    on("update_health_status", this::report);
    on("get_deployment_health", this::objectHealth);
    on("get_stack_health", this::stackHealth);
  }

  private Future<ApiResponse> report(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    HealthReport report = HealthReport.of(req.jsonObjectBody(HealthReport.CODE));
    if (report.entries().isEmpty()) {
      return Future.succeededFuture(ApiResponse.ok(null));
    }
    List<UUID> ids = report.objectIds();
    return pool.withTransaction(conn -> objects.liveAgent(conn, agentId).compose(live -> {
      if (!live) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      // an agent reports only on what it was given; an admin on any object that exists
      return req.caller().isAdmin() ? objects.existingObjects(conn, ids) : objects.objectsGivenTo(conn, agentId, ids);
    }).compose(known -> {
      if (known.size() != ids.size()) {
        throw unknownObjects(ids, known);
      }
      return repo.upsert(conn, agentId, report);
    }).map(v -> ApiResponse.ok(null)));
  }

  /** 404 for the whole batch, naming the first object it may not report on (whether or not it exists). */
  private static ApiError unknownObjects(List<UUID> ids, Set<UUID> known) {
    List<UUID> missing = new ArrayList<>();
    for (UUID id : ids) {
      if (!known.contains(id)) {
        missing.add(id);
      }
    }
    return new ApiError(Failure.NOT_FOUND, "deployment_object_not_found",
        "deployment object " + missing.get(0) + " not found" + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""),
        new JsonObject().put("deployment_object_ids", new JsonArray(missing.stream().map(UUID::toString).toList())));
  }

  private Future<ApiResponse> objectHealth(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID objectId = req.pathId("id");
    return repo.ofObject(pool, objectId).map(records -> {
      List<String> statuses = new ArrayList<>();
      records.forEach(r -> statuses.add(((JsonObject) r).getString("status")));
      return ApiResponse.ok(new JsonObject()
          .put("deployment_object_id", objectId.toString())
          .put("health_records", records)
          .put("overall_status", HealthStatus.worst(statuses)));
    });
  }

  private Future<ApiResponse> stackHealth(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID stackId = req.pathId("id");
    return repo.stackSummaries(pool, stackId).map(summaries -> {
      List<String> statuses = new ArrayList<>();
      summaries.forEach(s -> statuses.add(((JsonObject) s).getString("status")));
      return ApiResponse.ok(new JsonObject()
          .put("stack_id", stackId.toString())
          .put("overall_status", HealthStatus.worst(statuses))
          .put("deployment_objects", summaries));
    });
  }
}
