package org.brokkr.broker.generators;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Invalidation;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;

/** Generators (tenants / CI systems) and the agent registration consent model. */
public final class GeneratorsVerticle extends ResourceVerticle {
  private final Pool pool;
  private final Pak.Format pakFormat;
  private final AuthCache authCache;
  private final boolean selfRegistration;
  private final GeneratorRepository repo = new GeneratorRepository();

  /** {@code selfRegistration}: whether an agent may register itself with a generator (open mode). */
  public GeneratorsVerticle(Pool pool, Pak.Format pakFormat, AuthCache authCache, boolean selfRegistration) {
    this.pool = pool;
    this.pakFormat = pakFormat;
    this.authCache = authCache;
    this.selfRegistration = selfRegistration;
  }

  @Override
  public String address() {
    return Addresses.GENERATORS;
  }

  @Override
  protected void defineOperations() {
    on("list_generators", this::list);
    on("create_generator", this::create);
    on("get_generator", this::get);
    on("update_generator", this::update);
    on("delete_generator", this::delete);
    on("rotate_generator_pak", this::rotate);
    on("register_agent", this::register);
    on("deregister_agent", this::deregister);
    on("list_generator_registered_agents", this::registeredAgents);
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return repo.list(pool).map(ApiResponse::ok);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Access.requireAdmin(req.caller());
    JsonObject body = req.jsonObjectBody("invalid_generator");
    String name = Fields.requiredText(body.getValue("name"), "name", 255, "invalid_generator");
    String description = Fields.optionalString(body.getValue("description"), "description", "invalid_generator");
    Pak.Minted pak = Pak.mint(pakFormat);
    return pool.withTransaction(conn -> repo.insert(conn, name, description, pak.hash())
        .compose(gen -> {
          UUID id = UUID.fromString(gen.getString("id"));
          return Journal.audit(conn, AuditEntry.of(req, "generator.created", "generator", id, new JsonObject().put("name", name)))
              .compose(v -> Journal.audit(conn, AuditEntry.of(req, "pak.created", "pak", id,
                  new JsonObject().put("entity", "generator").put("name", name))))
              .map(v -> ApiResponse.created(new JsonObject().put("generator", gen).put("pak", pak.pak())));
        }));
  }

  private Future<ApiResponse> get(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrGenerator(req.caller(), id);
    return repo.find(pool, id, false).map(row -> {
      if (row == null) {
        throw ApiError.notFound("generator_not_found", "generator not found");
      }
      return ApiResponse.ok(row.json());
    });
  }

  private Future<ApiResponse> update(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrGenerator(req.caller(), id);
    JsonObject body = req.jsonObjectBody("invalid_generator");
    String name = body.getValue("name") == null ? null : Fields.requiredText(body.getValue("name"), "name", 255, "invalid_generator");
    String description = Fields.optionalString(body.getValue("description"), "description", "invalid_generator");
    Object active = body.getValue("is_active");
    if (active != null && !(active instanceof Boolean)) {
      throw ApiError.invalid("invalid_generator", "is_active must be a boolean");
    }
    return pool.withTransaction(conn -> repo.update(conn, id, name, description, (Boolean) active).compose(gen -> {
      if (gen == null) {
        throw ApiError.notFound("not_found", "generator not found");
      }
      return Journal.audit(conn, AuditEntry.of(req, "generator.updated", "generator", id,
          new JsonObject().put("name", gen.getString("name")))).map(v -> ApiResponse.ok(gen));
    }));
  }

  private Future<ApiResponse> delete(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrGenerator(req.caller(), id);
    return pool.withTransaction(conn -> repo.find(conn, id, true).compose(row -> {
      if (row == null) {
        throw ApiError.notFound("generator_not_found", "generator not found");
      }
      if (row.system()) {
        throw ApiError.forbidden("cannot_delete_system_generator", "the system generator cannot be deleted");
      }
      return repo.softDelete(conn, id)
          .compose(v -> Invalidation.pakHash(conn, row.pakHash()))
          .compose(v -> Journal.audit(conn, AuditEntry.of(req, "generator.deleted", "generator", id,
              new JsonObject().put("name", row.json().getString("name")))))
          .map(v -> row.pakHash());
    })).map(oldHash -> {
      // After commit, before answering: the NOTIFY reaches this replica's cache only later.
      authCache.invalidate(oldHash);
      return ApiResponse.noContent();
    });
  }

  private Future<ApiResponse> rotate(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrGenerator(req.caller(), id);
    Pak.Minted pak = Pak.mint(pakFormat);
    return pool.withTransaction(conn -> repo.find(conn, id, true).compose(row -> {
      if (row == null) {
        throw ApiError.notFound("generator_not_found", "generator not found");
      }
      if (row.system()) {
        throw ApiError.forbidden("system_generator_not_a_tenant", "the system generator has no PAK");
      }
      return repo.setPakHash(conn, id, pak.hash())
          .compose(gen -> Invalidation.pakHash(conn, row.pakHash())
              .compose(v -> Journal.audit(conn, AuditEntry.of(req, "pak.rotated", "generator", id,
                  new JsonObject().put("generator_name", gen.getString("name")))))
              .map(v -> new Rotation(gen, row.pakHash())));
    })).map(done -> {
      authCache.invalidate(done.oldHash());
      return ApiResponse.created(new JsonObject().put("generator", done.generator()).put("pak", pak.pak()));
    });
  }

  /** What a committed rotation leaves to do: answer with the generator, revoke the old hash here. */
  private record Rotation(JsonObject generator, String oldHash) {}

  /** Whose registration: an agent always acts for itself; admin names the agent; generators may not. */
  private static UUID registrant(ApiRequest req) {
    Identity caller = req.caller();
    if (caller.kind() == Identity.Kind.AGENT) {
      return caller.id();
    }
    if (!caller.isAdmin()) {
      throw ApiError.forbidden("forbidden", "only an agent or admin may change registrations");
    }
    JsonObject body = req.hasBody() ? req.jsonObjectBody("missing_agent_id") : new JsonObject();
    Object raw = body.getValue("agent_id");
    if (raw == null) {
      throw ApiError.invalid("missing_agent_id", "agent_id is required when admin registers an agent");
    }
    try {
      return UUID.fromString(raw.toString());
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("missing_agent_id", "agent_id must be a UUID");
    }
  }

  private Future<ApiResponse> register(ApiRequest req) {
    UUID generatorId = req.pathId("id");
    if (!selfRegistration && req.caller().kind() == Identity.Kind.AGENT) {
      // closed mode: consent to a tenant's stacks is given by admin only (deregistering stays allowed)
      throw ApiError.forbidden("self_registration_disabled", "agents may not register themselves with a generator");
    }
    UUID agentId = registrant(req);
    return pool.withTransaction(conn -> repo.find(conn, generatorId, false).compose(gen -> {
      if (gen == null) {
        throw ApiError.notFound("generator_not_found", "generator not found");
      }
      return repo.agentExists(conn, agentId);
    }).compose(exists -> {
      if (!exists) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return repo.register(conn, agentId, generatorId);
    }).compose(reg -> {
      if (reg == null) {
        throw new ApiError(Failure.CONFLICT, "already_registered", "agent is already registered with this generator");
      }
      return Journal.audit(conn, AuditEntry.of(req, "agent.registered", "agent", agentId,
          new JsonObject().put("generator_id", generatorId.toString()))).map(v -> ApiResponse.created(reg));
    }));
  }

  private Future<ApiResponse> deregister(ApiRequest req) {
    UUID generatorId = req.pathId("id");
    UUID agentId = registrant(req);
    return pool.withTransaction(conn -> repo.find(conn, generatorId, false).compose(gen -> {
      if (gen == null) {
        throw ApiError.notFound("generator_not_found", "generator not found");
      }
      return repo.deregister(conn, agentId, generatorId);
    }).compose(v -> Journal.audit(conn, AuditEntry.of(req, "agent.deregistered", "agent", agentId,
        new JsonObject().put("generator_id", generatorId.toString()))))
        .map(v -> ApiResponse.noContent()));
  }

  private Future<ApiResponse> registeredAgents(ApiRequest req) {
    UUID id = req.pathId("id");
    Access.requireAdminOrGenerator(req.caller(), id);
    return repo.find(pool, id, false).compose(gen -> {
      if (gen == null) {
        throw ApiError.notFound("generator_not_found", "generator not found");
      }
      if (gen.system() && !req.caller().isAdmin()) {
        throw ApiError.forbidden("system_generator_not_a_tenant", "the system generator is not a tenant");
      }
      return repo.registrations(pool, id);
    }).map(ApiResponse::ok);
  }
}
