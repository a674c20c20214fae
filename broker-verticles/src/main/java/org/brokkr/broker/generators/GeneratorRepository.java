package org.brokkr.broker.generators;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/** SQL for generators and agent registrations. */
public final class GeneratorRepository {
  static final String COLUMNS = "id, created_at, updated_at, deleted_at, name, description, last_active_at, is_active, is_system";
  private static final String LIST = "SELECT " + COLUMNS + " FROM generators WHERE deleted_at IS NULL AND NOT is_system ORDER BY created_at, id";
  private static final String GET = "SELECT " + COLUMNS + ", pak_hash FROM generators WHERE id = $1 AND deleted_at IS NULL";
  private static final String GET_FOR_UPDATE = GET + " FOR UPDATE";
  private static final String INSERT = "INSERT INTO generators (name, description, pak_hash) VALUES ($1, $2, $3) RETURNING " + COLUMNS;
  private static final String UPDATE = """
      UPDATE generators SET name = COALESCE($2, name), description = COALESCE($3, description),
             is_active = COALESCE($4, is_active)
       WHERE id = $1 AND deleted_at IS NULL RETURNING """ + " " + COLUMNS;
  private static final String SOFT_DELETE = "UPDATE generators SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL";
  private static final String SET_PAK = "UPDATE generators SET pak_hash = $2 WHERE id = $1 RETURNING " + COLUMNS;
  private static final String REGISTRATION_COLUMNS = "id, agent_id, generator_id, registered_at";
  private static final String REGISTER = """
      INSERT INTO agent_generator_registrations (agent_id, generator_id) VALUES ($1, $2)
      ON CONFLICT (agent_id, generator_id) DO NOTHING RETURNING """ + " " + REGISTRATION_COLUMNS;
  private static final String DEREGISTER_TARGETS = """
      DELETE FROM agent_targets t USING stacks s
       WHERE t.agent_id = $1 AND t.stack_id = s.id AND s.generator_id = $2 AND s.deleted_at IS NULL""";
  private static final String DEREGISTER = "DELETE FROM agent_generator_registrations WHERE agent_id = $1 AND generator_id = $2";
  private static final String REGISTERED_AGENTS = "SELECT " + REGISTRATION_COLUMNS
      + " FROM agent_generator_registrations WHERE generator_id = $1 ORDER BY registered_at, id";
  private static final String AGENT_EXISTS = "SELECT 1 FROM agents WHERE id = $1 AND deleted_at IS NULL";
  private static final String SYSTEM_ID = "SELECT id FROM generators WHERE is_system AND deleted_at IS NULL ORDER BY created_at LIMIT 1";

  public Future<JsonArray> list(SqlClient db) {
    return db.query(LIST).execute().map(Rows::jsonArray);
  }

  /** The live generator with its pak_hash column (never serialized), or null. */
  public Future<GeneratorRow> find(SqlClient db, UUID id, boolean lock) {
    return db.preparedQuery(lock ? GET_FOR_UPDATE : GET).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return null;
      }
      var row = it.next();
      return new GeneratorRow(Rows.json(row), row.getString("pak_hash"), row.getBoolean("is_system"));
    });
  }

  public Future<JsonObject> insert(SqlClient db, String name, String description, String pakHash) {
    return db.preparedQuery(INSERT).execute(Tuple.of(name, description, pakHash)).map(Rows::first);
  }

  public Future<JsonObject> update(SqlClient db, UUID id, String name, String description, Boolean isActive) {
    return db.preparedQuery(UPDATE).execute(Tuple.of(id, name, description, isActive)).map(Rows::first);
  }

  public Future<Boolean> softDelete(SqlClient db, UUID id) {
    return db.preparedQuery(SOFT_DELETE).execute(Tuple.of(id)).map(r -> r.rowCount() > 0);
  }

  public Future<JsonObject> setPakHash(SqlClient db, UUID id, String hash) {
    return db.preparedQuery(SET_PAK).execute(Tuple.of(id, hash)).map(Rows::first);
  }

  /** The new registration, or null when it already existed. */
  public Future<JsonObject> register(SqlClient db, UUID agentId, UUID generatorId) {
    return db.preparedQuery(REGISTER).execute(Tuple.of(agentId, generatorId)).map(Rows::first);
  }

  public Future<Void> deregister(SqlClient db, UUID agentId, UUID generatorId) {
    return db.preparedQuery(DEREGISTER_TARGETS).execute(Tuple.of(agentId, generatorId))
        .compose(r -> db.preparedQuery(DEREGISTER).execute(Tuple.of(agentId, generatorId)))
        .mapEmpty();
  }

  public Future<JsonArray> registrations(SqlClient db, UUID generatorId) {
    return db.preparedQuery(REGISTERED_AGENTS).execute(Tuple.of(generatorId)).map(Rows::jsonArray);
  }

  public Future<Boolean> agentExists(SqlClient db, UUID agentId) {
    return db.preparedQuery(AGENT_EXISTS).execute(Tuple.of(agentId)).map(r -> r.size() > 0);
  }

  /** The live system generator's id, or null before the broker's first start provisioned it. */
  public Future<UUID> systemGeneratorId(SqlClient db) {
    return db.query(SYSTEM_ID).execute().map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("id"));
  }

  /** A generator row with its secret column kept apart from the wire JSON. */
  public record GeneratorRow(JsonObject json, String pakHash, boolean system) {}
}
