package org.brokkr.broker.deployments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Locale;
import java.util.UUID;
import org.brokkr.broker.stacks.StackAccess;
import org.brokkr.broker.stacks.StackRepository;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Identity;

/** Deployment objects (immutable, sequenced desired state per stack) and agent target state. */
public final class DeploymentObjectsVerticle extends ResourceVerticle {
  private static final String YAML = "application/yaml";
  /** Bodies up to this size are read inline; larger ones on a worker thread. */
  static final int INLINE_BODY_BYTES = 64 * 1024;
  private static final java.util.List<String> YAML_TYPES = java.util.List.of(YAML, "text/yaml", "application/x-yaml");

  private final Pool pool;
  private final DeploymentObjectRepository repo = new DeploymentObjectRepository();
  private final StackAccess stacks = new StackAccess(new StackRepository());
  private final TargetStateCache cache;

  public DeploymentObjectsVerticle(Pool pool, TargetStateCache cache) {
    this.pool = pool;
    this.cache = cache;
  }

  @Override
  public String address() {
    return Addresses.DEPLOYMENT_OBJECTS;
  }

  @Override
  protected void defineOperations() {
    on("list_deployment_objects", req -> stacks.owned(pool, req.caller(), req.pathId("id"))
        .compose(s -> repo.list(pool, req.pathId("id"))).map(ApiResponse::ok));
    on("create_deployment_object", this::create);
    on("get_deployment_object", this::get);
    on("get_target_state", this::targetState);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    UUID stackId = req.pathId("id");
    // ownership is checked before any content error is revealed, so a stranger learns nothing
    // from validation; the body is read before the transaction so none stays open meanwhile
    return submission(req).transform(read -> pool.withTransaction(conn -> stacks.owned(conn, req.caller(), stackId)
        .compose(stack -> read.failed() ? Future.<JsonObject>failedFuture(read.cause())
            : repo.submit(conn, req, stackId, read.result().content(), read.result().checksum(),
                read.result().deletionMarker(), null))
        .map(ApiResponse::created)));
  }

  /** Small bodies are read on the event loop; parsing a large one there would stall every request it serves. */
  private Future<Submission> submission(ApiRequest req) {
    if (req.hasBody() && req.body().length() > INLINE_BODY_BYTES) {
      return vertx.executeBlocking(() -> Submission.of(req), false);
    }
    return Future.succeededFuture(req).map(Submission::of);
  }

  private Future<ApiResponse> get(ApiRequest req) {
    UUID id = req.pathId("id");
    Identity caller = req.caller();
    return repo.find(pool, id).compose(obj -> {
      if (obj == null) {
        throw ApiError.notFound("deployment_object_not_found", "deployment object not found");
      }
      UUID stackId = UUID.fromString(obj.getString("stack_id"));
      Future<Void> allowed;
      if (caller.isAdmin()) {
        allowed = Future.succeededFuture();
      } else if (caller.kind() == Identity.Kind.GENERATOR) {
        allowed = stacks.existing(pool, stackId).map(stack -> {
          if (!caller.id().toString().equals(stack.getString("generator_id"))) {
            throw ApiError.forbidden("generator_not_associated", "the object belongs to another generator's stack");
          }
          return null;
        });
      } else {
        allowed = repo.agentMayReadStack(pool, caller.id(), stackId).map(ok -> {
          if (!ok) {
            throw ApiError.forbidden("agent_not_associated", "the object's stack is not associated with this agent");
          }
          return null;
        });
      }
      return allowed.map(v -> wantsYaml(req.accept())
          ? ApiResponse.raw(200, obj.getString("yaml_content"), YAML)
          : ApiResponse.ok(obj));
    });
  }

  /**
   * Served from the cache when nothing changed since it was computed (no database work), with an
   * entity tag; a client presenting the current tag gets 304 and no body.
   */
  private Future<ApiResponse> targetState(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    boolean full = req.queryParam("mode").map("full"::equals).orElse(false);
    var cached = cache.get(agentId, full);
    if (cached.isPresent()) {
      return Future.succeededFuture(respond(req, cached.get()));
    }
    long generation = cache.generation();
    return repo.liveAgent(pool, agentId).compose(live -> {
      if (!live) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return repo.targetState(pool, agentId, full);
    }).map(body -> respond(req, cache.put(agentId, full, body, generation)));
  }

  private static ApiResponse respond(ApiRequest req, TargetStateCache.Entry entry) {
    return CachedTargetStates.respond(entry, req.ifNoneMatch());
  }

  /** A raw-YAML body: application/yaml, text/yaml or application/x-yaml (parameters ignored). */
  public static boolean isYaml(String contentType) {
    if (contentType == null) {
      return false;
    }
    return YAML_TYPES.contains(contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT));
  }

  private static boolean wantsYaml(String accept) {
    if (accept == null) {
      return false;
    }
    String a = accept.toLowerCase(Locale.ROOT);
    return YAML_TYPES.stream().anyMatch(a::contains);
  }
}
