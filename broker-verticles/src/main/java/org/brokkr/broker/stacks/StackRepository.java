package org.brokkr.broker.stacks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/** SQL for stacks and agent targets (labels and annotations: {@link org.brokkr.broker.support.Tags}). */
public final class StackRepository {
  static final String COLUMNS = "id, created_at, updated_at, deleted_at, name, description, generator_id";
  private static final String LIST = "SELECT " + COLUMNS + " FROM stacks WHERE deleted_at IS NULL ORDER BY created_at, id";
  private static final String LIST_BY_GENERATOR = "SELECT " + COLUMNS
      + " FROM stacks WHERE deleted_at IS NULL AND generator_id = $1 ORDER BY created_at, id";
  private static final String GET = "SELECT " + COLUMNS + " FROM stacks WHERE id = $1 AND deleted_at IS NULL";
  private static final String LIVE_GENERATOR = "SELECT 1 FROM generators WHERE id = $1 AND deleted_at IS NULL";
  private static final String INSERT = "INSERT INTO stacks (name, description, generator_id) VALUES ($1, $2, $3) RETURNING " + COLUMNS;
  private static final String UPDATE = """
      UPDATE stacks SET name = COALESCE($2, name), description = COALESCE($3, description),
             generator_id = COALESCE($4, generator_id)
       WHERE id = $1 AND deleted_at IS NULL RETURNING """ + " " + COLUMNS;
  private static final String SOFT_DELETE = "UPDATE stacks SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING deleted_at";
  /** The objects a stack's deletion took with it (its trigger stamps them with the stack's deleted_at). */
  private static final String OBJECTS_DELETED_WITH = """
      SELECT id FROM deployment_objects
       WHERE stack_id = $1 AND deleted_at = $2 AND NOT is_deletion_marker ORDER BY sequence_id""";
  private static final String HAS_TARGET = "SELECT 1 FROM agent_targets WHERE agent_id = $1 AND stack_id = $2";
  private static final String TARGETS = "SELECT id, agent_id, stack_id FROM agent_targets WHERE agent_id = $1 ORDER BY stack_id";
  private static final String ADD_TARGET = "INSERT INTO agent_targets (agent_id, stack_id) VALUES ($1, $2) RETURNING id, agent_id, stack_id";
  private static final String REMOVE_TARGET = "DELETE FROM agent_targets WHERE agent_id = $1 AND stack_id = $2";
  private static final String REGISTERED = "SELECT 1 FROM agent_generator_registrations WHERE agent_id = $1 AND generator_id = $2";
  private static final String LIVE_AGENT = "SELECT 1 FROM agents WHERE id = $1 AND deleted_at IS NULL";
  private static final String ASSOCIATED = "SELECT " + COLUMNS + " FROM stacks WHERE id IN (" + Matching.ASSOCIATED_STACK_IDS + ") ORDER BY id";

  public Future<JsonArray> list(SqlClient db, UUID generatorId) {
    return (generatorId == null ? db.query(LIST).execute() : db.preparedQuery(LIST_BY_GENERATOR).execute(Tuple.of(generatorId)))
        .map(Rows::jsonArray);
  }

  public Future<JsonObject> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(Rows::first);
  }

  public Future<Boolean> liveGenerator(SqlClient db, UUID id) {
    return exists(db, LIVE_GENERATOR, Tuple.of(id));
  }

  public Future<Boolean> liveAgent(SqlClient db, UUID id) {
    return exists(db, LIVE_AGENT, Tuple.of(id));
  }

  public Future<JsonObject> insert(SqlClient db, String name, String description, UUID generatorId) {
    return db.preparedQuery(INSERT).execute(Tuple.of(name, description, generatorId)).map(Rows::first);
  }

  public Future<JsonObject> update(SqlClient db, UUID id, String name, String description, UUID generatorId) {
    return db.preparedQuery(UPDATE).execute(Tuple.of(id, name, description, generatorId)).map(Rows::first);
  }

  public Future<java.time.OffsetDateTime> softDelete(SqlClient db, UUID id) {
    return db.preparedQuery(SOFT_DELETE).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? it.next().getOffsetDateTime(0) : null;
    });
  }

  public Future<java.util.List<UUID>> objectsDeletedWith(SqlClient db, UUID stackId, java.time.OffsetDateTime deletedAt) {
    return db.preparedQuery(OBJECTS_DELETED_WITH).execute(Tuple.of(stackId, deletedAt)).map(rows -> {
      java.util.List<UUID> ids = new java.util.ArrayList<>();
      rows.forEach(r -> ids.add(r.getUUID(0)));
      return ids;
    });
  }

  public Future<Boolean> hasExplicitTarget(SqlClient db, UUID agentId, UUID stackId) {
    return exists(db, HAS_TARGET, Tuple.of(agentId, stackId));
  }

  public Future<JsonArray> targets(SqlClient db, UUID agentId) {
    return db.preparedQuery(TARGETS).execute(Tuple.of(agentId)).map(Rows::jsonArray);
  }

  public Future<JsonObject> addTarget(SqlClient db, UUID agentId, UUID stackId) {
    return db.preparedQuery(ADD_TARGET).execute(Tuple.of(agentId, stackId)).map(Rows::first);
  }

  public Future<Boolean> removeTarget(SqlClient db, UUID agentId, UUID stackId) {
    return db.preparedQuery(REMOVE_TARGET).execute(Tuple.of(agentId, stackId)).map(r -> r.rowCount() > 0);
  }

  public Future<Boolean> registered(SqlClient db, UUID agentId, UUID generatorId) {
    return exists(db, REGISTERED, Tuple.of(agentId, generatorId));
  }

  public Future<JsonArray> associated(SqlClient db, UUID agentId) {
    return db.preparedQuery(ASSOCIATED).execute(Tuple.of(agentId)).map(Rows::jsonArray);
  }

  private static Future<Boolean> exists(SqlClient db, String sql, Tuple args) {
    return db.preparedQuery(sql).execute(args).map(r -> r.size() > 0);
  }
}
