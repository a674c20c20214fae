package org.brokkr.broker.stacks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.Labels;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Tags;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.EventTypes;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;

/** Stacks, their labels and annotations, and which agents they are aimed at. */
public final class StacksVerticle extends ResourceVerticle {
  private final Pool pool;
  private final StackRepository repo = new StackRepository();
  private final StackAccess access = new StackAccess(repo);
  private final Tags tags = new Tags("stack");

  public StacksVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.STACKS;
  }

  @Override
  protected void defineOperations() {
    on("list_stacks", this::list);
    on("create_stack", this::create);
    on("get_stack", req -> access.owned(pool, req.caller(), req.pathId("id")).map(ApiResponse::ok));
    on("update_stack", this::update);
    on("delete_stack", this::delete);
    // labels and annotations: read also by explicitly targeted agents, changed by admin or the owner
    tags.operations("stacks", this::on, pool, (db, req, id) -> access.readable(db, req.caller(), id),
        (db, req, id) -> access.owned(db, req.caller(), id), Tags.LabelBody.JSON_STRING);
    on("list_targets", this::listTargets);
    on("add_target", this::addTarget);
    on("remove_target", this::removeTarget);
    on("get_associated_stacks", this::associated);
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Identity caller = req.caller();
    if (caller.isAdmin()) {
      UUID filter = Fields.uuid(req.queryParam("pak_id").orElse(null), "pak_id", "invalid_query_parameter");
      return repo.list(pool, filter).map(ApiResponse::ok);
    }
    if (caller.kind() == Identity.Kind.GENERATOR) {
      return repo.list(pool, caller.id()).map(ApiResponse::ok);
    }
    throw ApiError.forbidden("stacks_list_denied", "agents may not list stacks");
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Identity caller = req.caller();
    if (caller.kind() == Identity.Kind.AGENT) {
      throw ApiError.forbidden("stack_create_denied", "agents may not create stacks");
    }
    JsonObject body = req.jsonObjectBody("invalid_stack");
    String name = Fields.requiredText(body.getValue("name"), "name", 255, "invalid_stack");
    String description = Fields.optionalString(body.getValue("description"), "description", "invalid_stack");
    UUID generatorId = Fields.uuid(body.getValue("generator_id"), "generator_id", "invalid_stack");
    if (generatorId == null) {
      throw ApiError.invalid("invalid_stack", "generator_id is required");
    }
    if (caller.kind() == Identity.Kind.GENERATOR && !caller.id().equals(generatorId)) {
      throw ApiError.forbidden("stack_generator_mismatch", "a generator may only create its own stacks");
    }
    return pool.withTransaction(conn -> repo.liveGenerator(conn, generatorId).compose(live -> {
      if (!live) {
        throw new ApiError(Failure.UNPROCESSABLE, "foreign_key_violation", "generator_id names no live generator",
            new JsonObject().put("constraint", "stacks_generator_id_fkey"));
      }
      return repo.insert(conn, name, description, generatorId);
    }).compose(stack -> {
      UUID id = UUID.fromString(stack.getString("id"));
      return Journal.audit(conn, AuditEntry.of(req, "stack.created", "stack", id,
              new JsonObject().put("name", name).put("generator_id", generatorId.toString())))
          .compose(v -> Journal.event(conn, EventTypes.STACK_CREATED, new JsonObject()
              .put("stack_id", id.toString()).put("name", name).put("description", description)
              .put("created_at", stack.getString("created_at")), null, id))
          .map(v -> ApiResponse.created(stack));
    }));
  }

  private Future<ApiResponse> update(ApiRequest req) {
    UUID id = req.pathId("id");
    JsonObject body = req.jsonObjectBody("invalid_stack");
    Object bodyId = body.getValue("id");
    if (bodyId != null && !id.toString().equalsIgnoreCase(bodyId.toString())) {
      throw ApiError.invalid("stack_id_mismatch", "id in the body does not match the path");
    }
    String name = body.getValue("name") == null ? null : Fields.requiredText(body.getValue("name"), "name", 255, "invalid_stack");
    String description = Fields.optionalString(body.getValue("description"), "description", "invalid_stack");
    UUID generatorId = Fields.uuid(body.getValue("generator_id"), "generator_id", "invalid_stack");
    return pool.withTransaction(conn -> access.owned(conn, req.caller(), id).compose(stack -> {
      boolean moving = generatorId != null && !generatorId.toString().equals(stack.getString("generator_id"));
      if (moving && !req.caller().isAdmin()) {
        throw ApiError.forbidden("stack_generator_mismatch", "only admin may move a stack to another generator");
      }
      Future<Boolean> target = moving ? repo.liveGenerator(conn, generatorId) : Future.succeededFuture(true);
      return target.compose(live -> {
        if (!live) {
          throw new ApiError(Failure.UNPROCESSABLE, "foreign_key_violation", "generator_id names no live generator",
              new JsonObject().put("constraint", "stacks_generator_id_fkey"));
        }
        return repo.update(conn, id, name, description, generatorId);
      });
    }).compose(updated -> Journal.audit(conn, AuditEntry.of(req, "stack.updated", "stack", id,
        new JsonObject().put("name", updated.getString("name")))).map(v -> ApiResponse.ok(updated))));
  }

  private Future<ApiResponse> delete(ApiRequest req) {
    UUID id = req.pathId("id");
    return pool.withTransaction(conn -> access.owned(conn, req.caller(), id).compose(stack -> repo.softDelete(conn, id)
        .compose(deletedAt -> Journal.audit(conn, AuditEntry.of(req, "stack.deleted", "stack", id,
                new JsonObject().put("name", stack.getString("name"))))
            // its deployment objects went with it: one deployment.deleted each (the reference emits none)
            .compose(v -> repo.objectsDeletedWith(conn, id, deletedAt))
            .compose(objects -> Journal.events(conn, EventTypes.DEPLOYMENT_DELETED, objects.stream()
                .map(o -> new JsonObject().put("deployment_object_id", o.toString()).put("stack_id", id.toString())
                    .put("deleted_at", Rows.timestamp(deletedAt)))
                .toList(), null, id))
            .compose(v -> Journal.event(conn, EventTypes.STACK_DELETED, new JsonObject()
                .put("stack_id", id.toString()).put("deleted_at", Rows.timestamp(deletedAt)), null, id)))
        .map(v -> ApiResponse.noContent())));
  }

  private Future<ApiResponse> listTargets(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    return liveAgent(agentId).compose(v -> repo.targets(pool, agentId)).map(ApiResponse::ok);
  }

  private Future<ApiResponse> associated(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    return liveAgent(agentId).compose(v -> repo.associated(pool, agentId)).map(ApiResponse::ok);
  }

  private Future<Void> liveAgent(UUID agentId) {
    return repo.liveAgent(pool, agentId).map(live -> {
      if (!live) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return null;
    });
  }

  /** Checks, in the reference's order, that the caller may aim this agent at this stack. */
  private Future<JsonObject> targetable(io.vertx.sqlclient.SqlClient db, ApiRequest req, UUID agentId, UUID stackId) {
    Identity caller = req.caller();
    return access.existing(db, stackId).compose(stack -> {
      if (!caller.isAdmin()) {
        if (caller.kind() != Identity.Kind.GENERATOR) {
          throw ApiError.forbidden("target_create_denied", "only admin or the owning generator may change targets");
        }
        if (!caller.id().toString().equals(stack.getString("generator_id"))) {
          throw ApiError.forbidden("target_generator_mismatch", "the stack belongs to another generator");
        }
      }
      return repo.liveAgent(db, agentId).compose(live -> {
        if (!live) {
          throw ApiError.notFound("agent_not_found", "agent not found");
        }
        return repo.registered(db, agentId, UUID.fromString(stack.getString("generator_id")));
      }).map(registered -> {
        if (!registered) {
          throw ApiError.forbidden("agent_not_registered", "the agent is not registered with the stack's generator");
        }
        return stack;
      });
    });
  }

  private Future<ApiResponse> addTarget(ApiRequest req) {
    UUID agentId = req.pathId("id");
    JsonObject body = req.jsonObjectBody("invalid_target");
    UUID stackId = Fields.uuid(body.getValue("stack_id"), "stack_id", "invalid_target");
    if (stackId == null) {
      throw ApiError.invalid("invalid_target", "stack_id is required");
    }
    UUID bodyAgent = Fields.uuid(body.getValue("agent_id"), "agent_id", "invalid_target");
    return pool.withTransaction(conn -> targetable(conn, req, agentId, stackId).compose(stack -> {
      if (bodyAgent != null && !bodyAgent.equals(agentId)) {
        throw ApiError.invalid("agent_id_mismatch", "agent_id in the body does not match the path");
      }
      return repo.addTarget(conn, agentId, stackId);
    }).compose(target -> Journal.audit(conn, AuditEntry.of(req, "agent.target_added", "agent", agentId,
        new JsonObject().put("stack_id", stackId.toString()))).map(v -> ApiResponse.created(target))));
  }

  private Future<ApiResponse> removeTarget(ApiRequest req) {
    UUID agentId = req.pathId("id");
    UUID stackId = req.pathId("stack_id");
    return pool.withTransaction(conn -> targetable(conn, req, agentId, stackId)
        .compose(stack -> repo.removeTarget(conn, agentId, stackId))
        .compose(removed -> {
          if (!removed) {
            throw ApiError.notFound("agent_target_not_found", "the agent has no target on that stack");
          }
          return Journal.audit(conn, AuditEntry.of(req, "agent.target_removed", "agent", agentId,
              new JsonObject().put("stack_id", stackId.toString()))).map(v -> ApiResponse.noContent());
        }));
  }
}
