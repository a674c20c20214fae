package org.brokkr.broker.agents;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/** SQL for agents and their registrations (labels and annotations: {@link org.brokkr.broker.support.Tags}). */
public final class AgentRepository {
  static final String COLUMNS = "id, created_at, updated_at, deleted_at, name, cluster_name, last_heartbeat, status, "
      + "k8s_reachable, k8s_api_latency_ms, k8s_reported_at";
  private static final String LIST_ALL = "SELECT " + COLUMNS + " FROM agents WHERE deleted_at IS NULL ORDER BY created_at, id";
  private static final String LIST_REGISTERED = "SELECT " + COLUMNS + """
       FROM agents a WHERE a.deleted_at IS NULL
        AND EXISTS (SELECT 1 FROM agent_generator_registrations r WHERE r.agent_id = a.id AND r.generator_id = $1)
      ORDER BY a.created_at, a.id""";
  private static final String GET = "SELECT " + COLUMNS + ", pak_hash FROM agents WHERE id = $1 AND deleted_at IS NULL";
  private static final String SEARCH = "SELECT " + COLUMNS + " FROM agents WHERE name = $1 AND cluster_name = $2 AND deleted_at IS NULL";
  private static final String INSERT = "INSERT INTO agents (name, cluster_name, pak_hash) VALUES ($1, $2, $3) RETURNING " + COLUMNS;
  private static final String REGISTER_SYSTEM_AND = """
      INSERT INTO agent_generator_registrations (agent_id, generator_id)
      SELECT $1, g.id FROM generators g
       WHERE g.deleted_at IS NULL AND (g.is_system OR g.id = ANY($2::uuid[]))
      ON CONFLICT (agent_id, generator_id) DO NOTHING""";
  private static final String COUNT_LIVE_GENERATORS = "SELECT count(*) FROM generators WHERE deleted_at IS NULL AND id = ANY($1::uuid[])";
  private static final String UPDATE = """
      UPDATE agents SET name = COALESCE($2, name), cluster_name = COALESCE($3, cluster_name), status = COALESCE($4, status)
       WHERE id = $1 AND deleted_at IS NULL RETURNING """ + " " + COLUMNS;
  private static final String SOFT_DELETE = "UPDATE agents SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING deleted_at";
  private static final String SET_PAK = "UPDATE agents SET pak_hash = $2 WHERE id = $1 RETURNING " + COLUMNS;
  private static final String HEARTBEAT = "UPDATE agents SET last_heartbeat = now() WHERE id = $1 AND deleted_at IS NULL";
  private static final String HEARTBEAT_K8S = """
      UPDATE agents SET last_heartbeat = now(), k8s_reachable = $2, k8s_api_latency_ms = $3, k8s_reported_at = now()
       WHERE id = $1 AND deleted_at IS NULL""";
  private static final String REGISTRATIONS = """
      SELECT id, agent_id, generator_id, registered_at FROM agent_generator_registrations
       WHERE agent_id = $1 ORDER BY registered_at, id""";

  public Future<JsonArray> listAll(SqlClient db) {
    return db.query(LIST_ALL).execute().map(Rows::jsonArray);
  }

  public Future<JsonArray> listRegisteredWith(SqlClient db, UUID generatorId) {
    return db.preparedQuery(LIST_REGISTERED).execute(Tuple.of(generatorId)).map(Rows::jsonArray);
  }

  public Future<AgentRow> find(SqlClient db, UUID id) {
    return db.preparedQuery(GET).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return null;
      }
      var row = it.next();
      return new AgentRow(Rows.json(row), row.getString("pak_hash"));
    });
  }

  public Future<JsonObject> search(SqlClient db, String name, String cluster) {
    return db.preparedQuery(SEARCH).execute(Tuple.of(name, cluster)).map(Rows::first);
  }

  public Future<Long> countLiveGenerators(SqlClient db, List<UUID> ids) {
    return db.preparedQuery(COUNT_LIVE_GENERATORS).execute(Tuple.tuple().addArrayOfUUID(ids.toArray(new UUID[0])))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<JsonObject> insert(SqlClient db, String name, String cluster, String pakHash, List<UUID> generatorIds) {
    return db.preparedQuery(INSERT).execute(Tuple.of(name, cluster, pakHash)).map(Rows::first).compose(agent ->
        db.preparedQuery(REGISTER_SYSTEM_AND)
            .execute(Tuple.tuple().addUUID(UUID.fromString(agent.getString("id"))).addArrayOfUUID(generatorIds.toArray(new UUID[0])))
            .map(r -> agent));
  }

  public Future<JsonObject> update(SqlClient db, UUID id, String name, String cluster, String status) {
    return db.preparedQuery(UPDATE).execute(Tuple.of(id, name, cluster, status)).map(Rows::first);
  }

  /** The deletion time, or null when there was no live agent. */
  public Future<java.time.OffsetDateTime> softDelete(SqlClient db, UUID id) {
    return db.preparedQuery(SOFT_DELETE).execute(Tuple.of(id)).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? it.next().getOffsetDateTime(0) : null;
    });
  }

  public Future<JsonObject> setPakHash(SqlClient db, UUID id, String hash) {
    return db.preparedQuery(SET_PAK).execute(Tuple.of(id, hash)).map(Rows::first);
  }

  public Future<Boolean> heartbeat(SqlClient db, UUID id, Boolean reachable, Integer latencyMs) {
    var query = reachable == null
        ? db.preparedQuery(HEARTBEAT).execute(Tuple.of(id))
        : db.preparedQuery(HEARTBEAT_K8S).execute(Tuple.of(id, reachable, latencyMs));
    return query.map(r -> r.rowCount() > 0);
  }

  public Future<JsonArray> registrations(SqlClient db, UUID agentId) {
    return db.preparedQuery(REGISTRATIONS).execute(Tuple.of(agentId)).map(Rows::jsonArray);
  }

  /** An agent row with its secret column kept apart from the wire JSON. */
  public record AgentRow(JsonObject json, String pakHash) {}
}
