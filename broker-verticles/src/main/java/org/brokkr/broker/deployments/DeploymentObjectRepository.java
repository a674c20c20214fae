package org.brokkr.broker.deployments;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.stacks.Matching;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.EventTypes;

/** SQL for the immutable deployment-object history and the target state computed from it. */
public final class DeploymentObjectRepository {
  static final String COLUMNS = "id, created_at, updated_at, deleted_at, sequence_id, stack_id, yaml_content, "
      + "yaml_checksum, submitted_at, is_deletion_marker";
  private static final String LIST = "SELECT " + COLUMNS
      + " FROM deployment_objects WHERE stack_id = $1 AND deleted_at IS NULL ORDER BY sequence_id DESC";
  private static final String GET = "SELECT " + COLUMNS + " FROM deployment_objects WHERE id = $1 AND deleted_at IS NULL";
  private static final String INSERT = """
      INSERT INTO deployment_objects (stack_id, yaml_content, yaml_checksum, is_deletion_marker)
      VALUES ($1, $2, $3, $4) RETURNING """ + " " + COLUMNS;
  private static final String AGENT_MAY_READ_STACK = """
      SELECT 1 WHERE $2 IN (""" + Matching.ASSOCIATED_STACK_IDS + """
      ) OR EXISTS (SELECT 1 FROM agent_pending_deletions WHERE agent_id = $1 AND stack_id = $2)""";
  /**
   * Latest live object of every associated stack, plus deletion markers still owed to the agent.
   * {@code $2 = 'full'} serves them all; otherwise an object is hidden once this agent reported a
   * SUCCESS for exactly that object (failures are served again, so they are retried).
   */
  private static final String TARGET_STATE = "WITH assoc AS (" + Matching.ASSOCIATED_STACK_IDS + """
      ),
      latest AS (
        SELECT DISTINCT ON (d.stack_id) d.id, d.sequence_id
          FROM deployment_objects d
         WHERE d.stack_id IN (SELECT id FROM assoc) AND d.deleted_at IS NULL
         ORDER BY d.stack_id, d.sequence_id DESC
      ),
      owed AS (
        SELECT p.deployment_object_id AS id FROM agent_pending_deletions p WHERE p.agent_id = $1
      ),
      served AS (SELECT id FROM latest UNION SELECT id FROM owed)
      SELECT """ + " " + prefixed("d") + """
        FROM served s JOIN deployment_objects d ON d.id = s.id
       WHERE $2 = 'full' OR NOT EXISTS (
               SELECT 1 FROM agent_events e
                WHERE e.agent_id = $1 AND e.deployment_object_id = d.id
                  AND e.deleted_at IS NULL AND upper(e.status) = 'SUCCESS')
       ORDER BY d.sequence_id DESC""";
  private static final String LIVE_AGENT = "SELECT 1 FROM agents WHERE id = $1 AND deleted_at IS NULL";
  /**
   * What an agent may write about: objects of the stacks associated with it (explicit targets, or
   * label/annotation matches of generators it is registered with), deletion markers it is still
   * owed, and objects it already reported on (so a retried report is not refused).
   */
  private static final String GIVEN_TO_AGENT = """
      (d.stack_id IN (""" + Matching.ASSOCIATED_STACK_IDS + """
       )
       OR EXISTS (SELECT 1 FROM agent_pending_deletions p WHERE p.agent_id = $1 AND p.deployment_object_id = d.id)
       OR EXISTS (SELECT 1 FROM agent_events e WHERE e.agent_id = $1 AND e.deployment_object_id = d.id))""";
  private static final String STACK_OF_OBJECT_GIVEN_TO_AGENT =
      "SELECT d.stack_id FROM deployment_objects d WHERE d.id = $2 AND " + GIVEN_TO_AGENT;
  private static final String OBJECTS_GIVEN_TO_AGENT =
      "SELECT d.id FROM deployment_objects d WHERE d.id = ANY($2::uuid[]) AND " + GIVEN_TO_AGENT;
  private static final String STACK_OF_OBJECT = "SELECT stack_id FROM deployment_objects WHERE id = $1";
  private static final String EXISTING_OBJECTS = "SELECT id FROM deployment_objects WHERE id = ANY($1::uuid[])";

  private static String prefixed(String alias) {
    StringBuilder out = new StringBuilder();
    for (String c : COLUMNS.split(",\\s*")) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(alias).append('.').append(c);
    }
    return out.toString();
  }

  public Future<JsonArray> list(SqlClient db, UUID stackId) {
    return db.preparedQuery(LIST).execute(Tuple.of(stackId)).map(Rows::jsonArray);
  }

  public Future<JsonObject> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(Rows::first);
  }

  public Future<JsonObject> insert(SqlClient db, UUID stackId, String yaml, String checksum, boolean deletionMarker) {
    return db.preparedQuery(INSERT).execute(Tuple.of(stackId, yaml, checksum, deletionMarker)).map(Rows::first);
  }

  /**
   * Appends a checked deployment object to a stack the caller may write to, with its audit row
   * and {@code deployment.created} event, in the caller's transaction; {@code auditDetails} adds
   * fields to the audit entry (the template an object was rendered from, say).
   */
  public Future<JsonObject> submit(SqlConnection conn, ApiRequest req, UUID stackId, String yaml, String checksum,
      boolean deletionMarker, JsonObject auditDetails) {
    return insert(conn, stackId, yaml, checksum, deletionMarker).compose(obj -> {
      UUID id = UUID.fromString(obj.getString("id"));
      JsonObject details = new JsonObject().put("stack_id", stackId.toString()).put("sequence_id", obj.getLong("sequence_id"));
      if (auditDetails != null) {
        details.mergeIn(auditDetails);
      }
      return Journal.audit(conn, AuditEntry.of(req, "deployment_object.created", "deployment_object", id, details))
          .compose(v -> Journal.event(conn, EventTypes.DEPLOYMENT_CREATED, new JsonObject()
              .put("deployment_object_id", id.toString()).put("stack_id", stackId.toString())
              .put("sequence_id", obj.getLong("sequence_id")).put("created_at", obj.getString("created_at")), null, stackId))
          .map(v -> obj);
    });
  }

  public Future<Boolean> agentMayReadStack(SqlClient db, UUID agentId, UUID stackId) {
    return db.preparedQuery(AGENT_MAY_READ_STACK).execute(Tuple.of(agentId, stackId)).map(r -> r.size() > 0);
  }

  public Future<JsonArray> targetState(SqlClient db, UUID agentId, boolean full) {
    return db.preparedQuery(TARGET_STATE).execute(Tuple.of(agentId, full ? "full" : "incremental")).map(Rows::jsonArray);
  }

  /**
   * The stack of a deployment object the agent was given (see the query), or empty: the rule
   * every agent-written resource (events, health, results) applies before it stores anything.
   */
  public Future<Optional<UUID>> stackOfObjectGivenTo(SqlClient db, UUID agentId, UUID objectId) {
    return db.preparedQuery(STACK_OF_OBJECT_GIVEN_TO_AGENT).execute(Tuple.of(agentId, objectId)).map(DeploymentObjectRepository::firstUuid);
  }

  /** The stack of any deployment object (admin writes), or empty when there is no such object. */
  public Future<Optional<UUID>> stackOfObject(SqlClient db, UUID objectId) {
    return db.preparedQuery(STACK_OF_OBJECT).execute(Tuple.of(objectId)).map(DeploymentObjectRepository::firstUuid);
  }

  /** Which of these objects the agent was given (the rule of {@link #stackOfObjectGivenTo}), in one query. */
  public Future<Set<UUID>> objectsGivenTo(SqlClient db, UUID agentId, List<UUID> objectIds) {
    return db.preparedQuery(OBJECTS_GIVEN_TO_AGENT)
        .execute(Tuple.tuple().addUUID(agentId).addArrayOfUUID(objectIds.toArray(new UUID[0])))
        .map(DeploymentObjectRepository::uuids);
  }

  /** Which of these deployment objects exist (admin writes). */
  public Future<Set<UUID>> existingObjects(SqlClient db, List<UUID> objectIds) {
    return db.preparedQuery(EXISTING_OBJECTS).execute(Tuple.tuple().addArrayOfUUID(objectIds.toArray(new UUID[0])))
        .map(DeploymentObjectRepository::uuids);
  }

  private static Set<UUID> uuids(RowSet<Row> rows) {
    Set<UUID> out = new HashSet<>();
    for (Row row : rows) {
      out.add(row.getUUID(0));
    }
    return out;
  }

  private static Optional<UUID> firstUuid(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.ofNullable(it.next().getUUID(0)) : Optional.empty();
  }

  public Future<Boolean> liveAgent(SqlClient db, UUID agentId) {
    return db.preparedQuery(LIVE_AGENT).execute(Tuple.of(agentId)).map(r -> r.size() > 0);
  }
}
