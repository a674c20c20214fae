package org.brokkr.broker.agents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Invalidation;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Tags;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.EventTypes;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;

/** The agent registry: identities, labels, annotations, heartbeats and PAKs. */
public final class AgentsVerticle extends ResourceVerticle {
  private final Pool pool;
  private final Pak.Format pakFormat;
  private final AuthCache authCache;
  private final AgentRepository repo = new AgentRepository();
  private final Tags tags = new Tags("agent");

  public AgentsVerticle(Pool pool, Pak.Format pakFormat, AuthCache authCache) {
    this.pool = pool;
    this.pakFormat = pakFormat;
    this.authCache = authCache;
  }

  @Override
  public String address() {
    return Addresses.AGENTS;
  }

  @Override
  protected void defineOperations() {
    on("list_agents", this::list);
    on("create_agent", this::create);
    on("search_agent", this::search);
    on("get_agent", this::get);
    on("update_agent", this::update);
    on("delete_agent", this::delete);
    // labels and annotations: read by admin or the agent itself, changed by admin only
    tags.operations("agents", this::on, pool, (db, req, id) -> {
      Access.requireAdminOrAgent(req.caller(), id);
      return existing(db, id);
    }, (db, req, id) -> {
      Access.requireAdmin(req.caller());
      return existing(db, id);
    }, Tags.LabelBody.OBJECT);
    on("record_heartbeat", this::heartbeat);
    on("rotate_agent_pak", this::rotate);
    on("list_agent_registrations", req -> readChild(req, repo::registrations));
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Identity caller = req.caller();
    if (caller.isAdmin()) {
      return repo.listAll(pool).map(ApiResponse::ok);
    }
    if (caller.kind() != Identity.Kind.GENERATOR) {
      throw ApiError.forbidden("generator_required", "only admin or a generator may list agents");
    }
    return repo.listRegisteredWith(pool, caller.id()).map(ApiResponse::ok);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Access.requireAdmin(req.caller());
    JsonObject body = req.jsonObjectBody("invalid_agent");
    String name = Fields.requiredText(body.getValue("name"), "name", 255, "invalid_agent");
    String cluster = Fields.requiredText(body.getValue("cluster_name"), "cluster_name", 255, "invalid_agent");
    List<UUID> generatorIds = uuidList(body.getValue("generator_ids"));
    Pak.Minted pak = Pak.mint(pakFormat);
    return pool.withTransaction(conn -> repo.countLiveGenerators(conn, generatorIds).compose(count -> {
      if (count != generatorIds.stream().distinct().count()) {
        throw ApiError.invalid("invalid_generator_id", "generator_ids names a generator that does not exist");
      }
      return repo.insert(conn, name, cluster, pak.hash(), generatorIds);
    }).compose(agent -> {
      UUID id = UUID.fromString(agent.getString("id"));
      return Journal.audit(conn, AuditEntry.of(req, "agent.created", "agent", id,
              new JsonObject().put("name", name).put("cluster_name", cluster)))
          .compose(v -> Journal.audit(conn, AuditEntry.of(req, "pak.created", "pak", id,
              new JsonObject().put("entity", "agent").put("name", name))))
          .compose(v -> Journal.event(conn, EventTypes.AGENT_REGISTERED, new JsonObject()
              .put("agent_id", id.toString()).put("name", name).put("cluster_name", cluster)
              .put("status", agent.getString("status")).put("created_at", agent.getString("created_at")), id, null))
          .map(v -> ApiResponse.created(new JsonObject().put("agent", agent).put("initial_pak", pak.pak())));
    }));
  }

  private Future<ApiResponse> search(ApiRequest req) {
    String name = req.queryParam("name").orElse(null);
    String cluster = req.queryParam("cluster_name").orElse(null);
    if (name == null || cluster == null) {
      throw ApiError.invalid("name_and_cluster_required", "both name and cluster_name are required");
    }
    return repo.search(pool, name, cluster).map(agent -> {
      if (agent == null) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      Access.requireAdminOrAgent(req.caller(), UUID.fromString(agent.getString("id")));
      return ApiResponse.ok(agent);
    });
  }

  private Future<ApiResponse> get(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), id);
    return existing(pool, id).map(row -> ApiResponse.ok(row.json()));
  }

  private Future<ApiResponse> update(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), id);
    JsonObject body = req.jsonObjectBody("invalid_agent");
    String name = optionalNonBlank(body.getValue("name"), "name", 255);
    String cluster = optionalNonBlank(body.getValue("cluster_name"), "cluster_name", 255);
    String status = optionalNonBlank(body.getValue("status"), "status", 50);
    return pool.withTransaction(conn -> repo.update(conn, id, name, cluster, status).compose(agent -> {
      if (agent == null) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return Journal.audit(conn, AuditEntry.of(req, "agent.updated", "agent", id, new JsonObject()
          .put("name", agent.getString("name")).put("cluster_name", agent.getString("cluster_name"))
          .put("status", agent.getString("status")))).map(v -> ApiResponse.ok(agent));
    }));
  }

  private Future<ApiResponse> delete(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdmin(req.caller());
    return pool.withTransaction(conn -> existing(conn, id).compose(row -> repo.softDelete(conn, id)
        .compose(deletedAt -> Invalidation.pakHash(conn, row.pakHash())
            .compose(v -> Journal.audit(conn, AuditEntry.of(req, "agent.deleted", "agent", id,
                new JsonObject().put("name", row.json().getString("name")))))
            .compose(v -> Journal.event(conn, EventTypes.AGENT_DEREGISTERED, new JsonObject()
                .put("agent_id", id.toString()).put("deleted_at", Rows.timestamp(deletedAt)), id, null)))
        .map(v -> row.pakHash())))
        .map(oldHash -> {
          // After commit, before answering: the NOTIFY reaches this replica's cache only later.
          authCache.invalidate(oldHash);
          return ApiResponse.noContent();
        });
  }

  private Future<ApiResponse> readChild(ApiRequest req, ChildQuery query) {
    UUID id = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), id);
    return existing(pool, id).compose(row -> query.run(pool, id)).map(ApiResponse::ok);
  }

  private Future<ApiResponse> heartbeat(ApiRequest req) {
    UUID id = req.pathId("id");
    if (!req.caller().isAgent(id)) {
      throw ApiError.forbidden("agent_pak_mismatch", "only the agent itself may send its heartbeat");
    }
    Boolean reachable = null;
    Integer latency = null;
    if (req.hasBody()) {
      try {
        if (req.jsonBody("invalid_heartbeat") instanceof JsonObject body) {
          reachable = body.getValue("k8s_reachable") instanceof Boolean b ? b : null;
          latency = body.getValue("k8s_api_latency_ms") instanceof Number n && reachable != null ? n.intValue() : null;
        }
      } catch (ApiError ignored) {
        // The heartbeat itself is what matters: a malformed report is dropped, not refused.
      }
    }
    return repo.heartbeat(pool, id, reachable, latency).map(found -> {
      if (!found) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      // the fleet's live subscribers see the new heartbeat
      vertx.eventBus().publish(Addresses.FLEET_AGENT_CHANGED, id.toString());
      return ApiResponse.noContent();
    });
  }

  private Future<ApiResponse> rotate(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), id);
    Pak.Minted pak = Pak.mint(pakFormat);
    return pool.withTransaction(conn -> existing(conn, id).compose(row -> repo.setPakHash(conn, id, pak.hash())
        .compose(agent -> Invalidation.pakHash(conn, row.pakHash())
            .compose(v -> Journal.audit(conn, AuditEntry.of(req, "pak.rotated", "agent", id,
                new JsonObject().put("agent_name", agent.getString("name")))))
            .map(v -> new Rotation(agent, row.pakHash())))))
        .map(done -> {
          authCache.invalidate(done.oldHash());
          return ApiResponse.ok(new JsonObject().put("agent", done.agent()).put("pak", pak.pak()));
        });
  }

  /** What a committed rotation leaves to do: answer with the agent, revoke the old hash here. */
  private record Rotation(JsonObject agent, String oldHash) {}

  private Future<AgentRepository.AgentRow> existing(io.vertx.sqlclient.SqlClient db, UUID id) {
    return repo.find(db, id).map(row -> {
      if (row == null) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return row;
    });
  }

  private static String optionalNonBlank(Object raw, String field, int max) {
    if (!(raw instanceof String s)) {
      return null;
    }
    if (s.isBlank() || s.codePointCount(0, s.length()) > max) {
      throw ApiError.invalid("invalid_agent", field + " must be 1-" + max + " characters");
    }
    return s;
  }

  private static List<UUID> uuidList(Object raw) {
    List<UUID> out = new ArrayList<>();
    if (raw == null) {
      return out;
    }
    if (!(raw instanceof JsonArray arr)) {
      throw ApiError.invalid("invalid_generator_id", "generator_ids must be an array of UUIDs");
    }
    for (Object o : arr) {
      try {
        out.add(UUID.fromString(String.valueOf(o)));
      } catch (IllegalArgumentException e) {
        throw ApiError.invalid("invalid_generator_id", "generator_ids must be an array of UUIDs");
      }
    }
    return out;
  }

  @FunctionalInterface
  private interface ChildQuery {
    Future<JsonArray> run(io.vertx.sqlclient.SqlClient db, UUID agentId);
  }

}
