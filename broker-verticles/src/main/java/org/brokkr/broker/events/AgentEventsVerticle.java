package org.brokkr.broker.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.Locale;
import java.util.UUID;
import org.brokkr.broker.deployments.DeploymentObjectRepository;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.EventTypes;

/** Deployment results reported by agents (SUCCESS / FAILURE per deployment object). */
public final class AgentEventsVerticle extends ResourceVerticle {
  private static final String COLUMNS = "id, created_at, updated_at, deleted_at, agent_id, deployment_object_id, event_type, status, message";
  private static final String INSERT = """
      INSERT INTO agent_events (agent_id, deployment_object_id, event_type, status, message)
      VALUES ($1, $2, $3, $4, $5) RETURNING """ + " " + COLUMNS;
  private static final String SETTLE_DELETION = "DELETE FROM agent_pending_deletions WHERE agent_id = $1 AND deployment_object_id = $2";
  private static final String LIVE_AGENT = "SELECT 1 FROM agents WHERE id = $1 AND deleted_at IS NULL";
  private static final String OF_AGENT = "SELECT e." + COLUMNS.replace(", ", ", e.") + """
       FROM agent_events e JOIN deployment_objects d ON d.id = e.deployment_object_id
      WHERE e.agent_id = $1 AND e.deleted_at IS NULL ORDER BY e.created_at DESC, e.id""";
  private static final String ALL = "SELECT " + COLUMNS + " FROM agent_events WHERE deleted_at IS NULL ORDER BY created_at DESC, id";
  private static final String ALL_FOR_GENERATOR = "SELECT e." + COLUMNS.replace(", ", ", e.") + """
       FROM agent_events e
      WHERE e.deleted_at IS NULL
        AND EXISTS (SELECT 1 FROM agent_generator_registrations r WHERE r.agent_id = e.agent_id AND r.generator_id = $1)
      ORDER BY e.created_at DESC, e.id""";
  private static final String GET = "SELECT " + COLUMNS + " FROM agent_events WHERE id = $1 AND deleted_at IS NULL";

  private final Pool pool;
  private final DeploymentObjectRepository objects = new DeploymentObjectRepository();

  public AgentEventsVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.AGENT_EVENTS;
  }

  @Override
  protected void defineOperations() {
    on("create_event", this::create);
    on("list_events", this::ofAgent);
    on("list_agent_events", this::all);
    on("get_agent_event", this::get);
  }

  private Future<ApiResponse> create(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    JsonObject body = req.jsonObjectBody("invalid_agent_event");
    UUID bodyAgent = Fields.uuid(body.getValue("agent_id"), "agent_id", "invalid_agent_event");
    if (bodyAgent != null && !bodyAgent.equals(agentId)) {
      throw ApiError.invalid("agent_id_mismatch", "agent_id in the body does not match the path");
    }
    UUID objectId = Fields.uuid(body.getValue("deployment_object_id"), "deployment_object_id", "invalid_agent_event");
    if (objectId == null) {
      throw ApiError.invalid("invalid_agent_event", "deployment_object_id is required");
    }
    String eventType = Fields.requiredText(body.getValue("event_type"), "event_type", 50, "invalid_agent_event");
    String status = Fields.requiredText(body.getValue("status"), "status", 10, "invalid_agent_event");
    Object rawMessage = body.getValue("message");
    if (rawMessage != null && !(rawMessage instanceof String)) {
      throw ApiError.invalid("invalid_agent_event", "message must be a string");
    }
    boolean success = status.toUpperCase(Locale.ROOT).equals("SUCCESS");
    return pool.withTransaction(conn -> exists(conn, LIVE_AGENT, agentId).compose(live -> {
      if (!live) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      // an agent reports only on what it was given; anything else is not found, whether it exists or not
      return req.caller().isAdmin()
          ? objects.stackOfObject(conn, objectId)
          : objects.stackOfObjectGivenTo(conn, agentId, objectId);
    }).compose(stack -> {
      if (stack.isEmpty()) {
        throw ApiError.notFound("deployment_object_not_found", "deployment object not found");
      }
      return conn.preparedQuery(INSERT).execute(Tuple.of(agentId, objectId, eventType, status, rawMessage))
          .map(rows -> new Stored(Rows.first(rows), stack.get()));
    }).compose(done -> {
      JsonObject event = done.event();
      UUID stackId = done.stackId();
      Future<Void> settled = success
          ? conn.preparedQuery(SETTLE_DELETION).execute(Tuple.of(agentId, objectId)).mapEmpty()
          : Future.succeededFuture();
      JsonObject data = new JsonObject()
          .put("agent_event_id", event.getString("id")).put("agent_id", agentId.toString())
          .put("deployment_object_id", objectId.toString())
          .put("stack_id", stackId.toString())
          .put("event_type", eventType).put("status", status).put("message", rawMessage)
          .put("created_at", event.getString("created_at"));
      return settled
          .compose(v -> Journal.event(conn, success ? EventTypes.DEPLOYMENT_APPLIED : EventTypes.DEPLOYMENT_FAILED, data, agentId, stackId))
          .compose(v -> Journal.audit(conn, AuditEntry.of(req, "agent_event.created", "agent_event",
              UUID.fromString(event.getString("id")), new JsonObject()
                  .put("deployment_object_id", objectId.toString()).put("status", status))))
          .map(v -> ApiResponse.created(event));
    }));
  }

  /** An inserted event and the stack of its object. */
  private record Stored(JsonObject event, UUID stackId) {}

  private Future<ApiResponse> ofAgent(ApiRequest req) {
    UUID agentId = req.pathId("id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    return exists(pool, LIVE_AGENT, agentId).compose(live -> {
      if (!live) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return pool.preparedQuery(OF_AGENT).execute(Tuple.of(agentId));
    }).map(rows -> ApiResponse.ok(Rows.jsonArray(rows)));
  }

  private Future<ApiResponse> all(ApiRequest req) {
    Access.requireAdmin(req.caller());
    var filter = req.queryParam("pak_id").map(v -> Fields.uuid(v, "pak_id", "invalid_agent_event"));
    var rows = filter.isPresent()
        ? pool.preparedQuery(ALL_FOR_GENERATOR).execute(Tuple.of(filter.get()))
        : pool.query(ALL).execute();
    return rows.map(r -> ApiResponse.ok(Rows.jsonArray(r)));
  }

  private Future<ApiResponse> get(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    return pool.preparedQuery(GET).execute(Tuple.of(id)).map(rows -> {
      JsonObject event = Rows.first(rows);
      if (event == null) {
        throw ApiError.notFound("agent_event_not_found", "agent event not found");
      }
      return ApiResponse.ok(event);
    });
  }

  private static Future<Boolean> exists(SqlClient db, String sql, UUID id) {
    return db.preparedQuery(sql).execute(Tuple.of(id)).map(r -> r.size() > 0);
  }
}
