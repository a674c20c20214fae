package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The deployment-wide record of open agent sockets ({@code agent_ws_connections}). A row counts
 * while its replica refreshes it within {@link #LEASE_SECONDS}; the newest connection of an agent
 * wins whichever replica holds it.
 */
final class AgentSocketRepository {
  /** A replica refreshes its rows every {@link #REFRESH_MILLIS}; a row older than this is a dead replica's. */
  static final int LEASE_SECONDS = 60;
  static final long REFRESH_MILLIS = 10_000;

  private static final String OPENED = """
      INSERT INTO agent_ws_connections (agent_id, connection_id, replica_id, connected_since)
      VALUES ($1, $2, $3, $4)
      ON CONFLICT (agent_id) DO UPDATE
         SET connection_id = EXCLUDED.connection_id, replica_id = EXCLUDED.replica_id,
             connected_since = EXCLUDED.connected_since, refreshed_at = now(), messages_in = 0, messages_out = 0
       WHERE agent_ws_connections.connected_since <= EXCLUDED.connected_since""";
  private static final String CLOSED = "DELETE FROM agent_ws_connections WHERE agent_id = $1 AND connection_id = $2";
  private static final String OF_REPLICA = "DELETE FROM agent_ws_connections WHERE replica_id = $1";
  private static final String REFRESH = """
      UPDATE agent_ws_connections c SET refreshed_at = now(), messages_in = x.i, messages_out = x.o
        FROM unnest($1::uuid[], $2::bigint[], $3::bigint[]) AS x(connection_id, i, o)
       WHERE c.connection_id = x.connection_id""";
  private static final String EXPIRE = "DELETE FROM agent_ws_connections WHERE refreshed_at < now() - make_interval(secs => $1)";
  private static final String LIST = """
      SELECT c.agent_id, c.connection_id, c.connected_since, c.messages_in, c.messages_out
        FROM agent_ws_connections c JOIN agents a ON a.id = c.agent_id AND a.deleted_at IS NULL
       WHERE c.refreshed_at >= now() - make_interval(secs => $1)
       ORDER BY c.connected_since, c.agent_id""";

  /** One listed row. */
  record Listed(UUID agentId, UUID connectionId, java.time.OffsetDateTime connectedSince, long messagesIn, long messagesOut) {}

  Future<Void> opened(Pool pool, AgentConnection c, String replicaId) {
    return pool.preparedQuery(OPENED).execute(Tuple.of(c.agentId, c.connectionId, replicaId, c.connectedSince)).mapEmpty();
  }

  Future<Void> closed(Pool pool, AgentConnection c) {
    return pool.preparedQuery(CLOSED).execute(Tuple.of(c.agentId, c.connectionId)).mapEmpty();
  }

  Future<Void> forgetReplica(Pool pool, String replicaId) {
    return pool.preparedQuery(OF_REPLICA).execute(Tuple.of(replicaId)).mapEmpty();
  }

  Future<Void> refresh(Pool pool, List<AgentConnection> open) {
    if (open.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = new UUID[open.size()];
    Long[] in = new Long[open.size()];
    Long[] out = new Long[open.size()];
    for (int i = 0; i < open.size(); i++) {
      ids[i] = open.get(i).connectionId;
      in[i] = open.get(i).messagesIn.get();
      out[i] = open.get(i).messagesOut.get();
    }
    return pool.preparedQuery(REFRESH).execute(Tuple.of(ids, in, out)).mapEmpty();
  }

  Future<Void> expire(Pool pool) {
    return pool.preparedQuery(EXPIRE).execute(Tuple.of(LEASE_SECONDS)).mapEmpty();
  }

  Future<List<Listed>> list(Pool pool) {
    return pool.preparedQuery(LIST).execute(Tuple.of(LEASE_SECONDS)).map(rows -> {
      List<Listed> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Listed(r.getUUID("agent_id"), r.getUUID("connection_id"), r.getOffsetDateTime("connected_since"),
            r.getLong("messages_in"), r.getLong("messages_out")));
      }
      return out;
    });
  }
}
