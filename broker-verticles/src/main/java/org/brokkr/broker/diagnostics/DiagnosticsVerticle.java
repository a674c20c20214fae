package org.brokkr.broker.diagnostics;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.brokkr.broker.agents.AgentRepository;
import org.brokkr.broker.deployments.DeploymentObjectRepository;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;

/**
 * On-demand diagnostics: an admin asks one agent to collect evidence about a deployment object;
 * the agent lists its pending requests, claims one (exactly one claim wins, on any number of
 * brokers), and submits the result, or the error that kept it from collecting one.
 */
public final class DiagnosticsVerticle extends ResourceVerticle {
  static final String INVALID_REQUEST = "invalid_diagnostic_request";
  static final int DEFAULT_RETENTION_MINUTES = 60;
  static final int MAX_RETENTION_MINUTES = 1440;
  static final int MAX_REQUESTED_BY_CHARS = 255;

  private final Pool pool;
  private final DiagnosticRepository repo = new DiagnosticRepository();
  private final DeploymentObjectRepository objects = new DeploymentObjectRepository();
  private final AgentRepository agents = new AgentRepository();

  public DiagnosticsVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.DIAGNOSTICS;
  }

  @Override
  protected void defineOperations() {
    on("create_diagnostic_request", this::create);
    on("get_pending_diagnostics", this::pending);
    on("get_diagnostic", this::get);
    on("claim_diagnostic", this::claim);
    on("submit_diagnostic_result", this::submit);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID objectId = req.pathId("id");
    JsonObject body = req.jsonObjectBody(INVALID_REQUEST);
    UUID agentId = Fields.uuid(body.getValue("agent_id"), "agent_id", INVALID_REQUEST);
    if (agentId == null) {
      throw ApiError.invalid(INVALID_REQUEST, "agent_id is required");
    }
    String requestedBy = Fields.optionalString(body.getValue("requested_by"), "requested_by", INVALID_REQUEST);
    if (requestedBy != null && requestedBy.length() > MAX_REQUESTED_BY_CHARS) {
      throw ApiError.invalid(INVALID_REQUEST, "requested_by cannot be longer than " + MAX_REQUESTED_BY_CHARS + " characters");
    }
    int retention = retentionMinutes(body.getValue("retention_minutes"));
    return pool.withTransaction(conn -> objects.find(conn, objectId).compose(object -> {
      if (object == null) {
        throw ApiError.notFound("deployment_object_not_found", "deployment object not found");
      }
      return agents.find(conn, agentId);
    }).compose(agent -> {
      if (agent == null) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return repo.insert(conn, agentId, objectId, requestedBy, retention);
    }).compose(created -> Journal.audit(conn, AuditEntry.of(req, "diagnostic.created", "diagnostic_request",
            UUID.fromString(created.getString("id")), new JsonObject()
                .put("agent_id", agentId.toString()).put("deployment_object_id", objectId.toString())
                .put("retention_minutes", retention)))
        .map(v -> ApiResponse.created(created))));
  }

  /** Absent or null means the default; otherwise a whole number of minutes in 1..1440. */
  static int retentionMinutes(Object raw) {
    if (raw == null) {
      return DEFAULT_RETENTION_MINUTES;
    }
    if (!(raw instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < 1 || n.doubleValue() > MAX_RETENTION_MINUTES) {
      throw ApiError.invalid(INVALID_REQUEST, "retention_minutes must be a whole number between 1 and " + MAX_RETENTION_MINUTES);
    }
    return n.intValue();
  }

  private Future<ApiResponse> pending(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    return repo.pendingFor(pool, agentId).map(ApiResponse::ok);
  }

  private Future<ApiResponse> get(ApiRequest req) {
    UUID id = req.pathId("id");
    requireAdminOrAgent(req.caller());
    return visible(req.caller(), id).compose(stored -> repo.resultOf(pool, id)
        .map(result -> ApiResponse.ok(new JsonObject().put("request", stored.request()).put("result", result))));
  }

  private Future<ApiResponse> claim(ApiRequest req) {
    UUID id = req.pathId("id");
    Identity caller = req.caller();
    requireAdminOrAgent(caller);
    UUID claimant = caller.isAdmin() ? null : caller.id();
    return pool.withTransaction(conn -> repo.claim(conn, id, claimant).compose(claimed -> {
      if (claimed == null) {
        // lost, or never claimable: say which, without having changed anything
        return repo.find(conn, id).<ApiResponse>map(stored -> {
          throw refusal(caller, stored, "pending", "diagnostic_already_claimed");
        });
      }
      return Journal.audit(conn, AuditEntry.of(req, "diagnostic.claimed", "diagnostic_request", id,
              new JsonObject().put("agent_id", claimed.getString("agent_id"))))
          .map(v -> ApiResponse.ok(claimed));
    }));
  }

  private Future<ApiResponse> submit(ApiRequest req) {
    UUID id = req.pathId("id");
    Identity caller = req.caller();
    if (caller.kind() != Identity.Kind.AGENT) {
      throw notOwned();
    }
    DiagnosticResultInput input = DiagnosticResultInput.of(req.jsonObjectBody(DiagnosticResultInput.CODE));
    String outcome = input.failed() ? "failed" : "completed";
    return pool.withTransaction(conn -> repo.finish(conn, id, caller.id(), outcome).compose(finished -> {
      if (finished == null) {
        return repo.find(conn, id).<ApiResponse>map(stored -> {
          throw refusal(caller, stored, "claimed", "diagnostic_not_claimed");
        });
      }
      return repo.insertResult(conn, id, input).compose(result -> Journal.audit(conn,
              AuditEntry.of(req, "diagnostic." + outcome, "diagnostic_request", id, input.failed()
                  ? new JsonObject().put("error", input.error()) : null))
          .map(v -> ApiResponse.created(result)));
    }));
  }

  /** The request, if this caller may see it: admin, or the agent it is assigned to. */
  private Future<DiagnosticRepository.Stored> visible(Identity caller, UUID id) {
    return repo.find(pool, id).map(stored -> {
      if (stored == null) {
        throw notFound();
      }
      if (!caller.isAdmin() && !caller.isAgent(stored.agentId())) {
        throw notOwned();
      }
      return stored;
    });
  }

  /**
   * Why a conditional change did not apply: no such request (404), someone else's (403), or not
   * in the {@code expected} state (409 {@code conflictCode}, naming the state it is in).
   */
  private static ApiError refusal(Identity caller, DiagnosticRepository.Stored stored, String expected, String conflictCode) {
    if (stored == null) {
      return notFound();
    }
    if (!caller.isAdmin() && !caller.isAgent(stored.agentId())) {
      return notOwned();
    }
    String state = stored.status().equals("pending") && stored.lapsed() ? "expired" : stored.status();
    String message = expected.equals("pending")
        ? "request is already " + state
        : "request is " + state + ", expected 'claimed'";
    return new ApiError(Failure.CONFLICT, conflictCode, message);
  }

  /** Generators have no part in diagnostics; they learn nothing, not even whether a request exists. */
  private static void requireAdminOrAgent(Identity caller) {
    if (!caller.isAdmin() && caller.kind() != Identity.Kind.AGENT) {
      throw notOwned();
    }
  }

  private static ApiError notFound() {
    return ApiError.notFound("diagnostic_not_found", "diagnostic request not found");
  }

  private static ApiError notOwned() {
    return ApiError.forbidden("diagnostic_not_owned", "this diagnostic request is assigned to another agent");
  }
}
