package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;

/**
 * {@code GET /admin/ws/connections}: the open agent sockets of the whole deployment, whichever
 * replica holds them. Counters of this replica's sockets are current; others' are as of their
 * replica's last refresh. {@code live_subscribers} counts this replica's subscriber streams.
 */
public final class LiveConnectionsVerticle extends ResourceVerticle {
  private final Pool pool;
  private final AgentSockets sockets;
  private final LiveStreams streams;

  public LiveConnectionsVerticle(Pool pool, AgentSockets sockets, LiveStreams streams) {
    this.pool = pool;
    this.sockets = sockets;
    this.streams = streams;
  }

  @Override
  public String address() {
    return Addresses.LIVE_CONNECTIONS;
  }

  @Override
  protected void defineOperations() {
    on("list_ws_connections", this::list);
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return sockets.repository().list(pool).map(rows -> {
      JsonArray connections = new JsonArray();
      for (AgentSocketRepository.Listed row : rows) {
        long in = row.messagesIn();
        long out = row.messagesOut();
        var local = sockets.of(row.agentId());
        if (local.isPresent() && local.get().connectionId.equals(row.connectionId())) {
          in = local.get().messagesIn.get();
          out = local.get().messagesOut.get();
        }
        connections.add(new JsonObject()
            .put("agent_id", row.agentId().toString())
            .put("connected_since", Rows.timestamp(row.connectedSince()))
            .put("messages_in", in)
            .put("messages_out", out));
      }
      return ApiResponse.ok(new JsonObject()
          .put("connected_agents", connections.size())
          .put("connections", connections)
          .put("live_subscribers", streams.subscribers()));
    });
  }
}
