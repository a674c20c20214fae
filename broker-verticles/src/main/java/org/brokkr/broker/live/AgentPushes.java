package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.brokkr.broker.live.OutboundLanes.Lane;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.broker.support.Rows;
import org.brokkr.broker.workorders.WorkOrderRepository;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hints to connected agents that their target state or work changed, from the database's
 * {@code brokkr_push} notifications (V9), whichever replica made the change: this replica acts only
 * for the agents whose sockets it holds, builds each frame once and queues it on the agent's
 * control lane. A hint that is lost or dropped costs the agent at most one poll interval.
 */
public final class AgentPushes {
  private static final Logger LOG = LoggerFactory.getLogger(AgentPushes.class);
  /** The body of a removal: the reference's synthetic target, nil ids but the agent's. */
  private static final String NIL = new UUID(0, 0).toString();

  private static final String LOCAL = "unnest($2::uuid[]) AS held(agent_id)";
  /** The stack and which of the agents {@code $2} it is associated with (as in {@code stacks.Matching}). */
  private static final String STACK = """
      SELECT s.id, s.created_at, s.updated_at, s.deleted_at, s.name, s.description, s.generator_id,
             ARRAY(SELECT held.agent_id FROM\s""" + LOCAL + """

               WHERE EXISTS (SELECT 1 FROM agent_targets t WHERE t.stack_id = s.id AND t.agent_id = held.agent_id)
                  OR (EXISTS (SELECT 1 FROM agent_generator_registrations r
                               WHERE r.generator_id = s.generator_id AND r.agent_id = held.agent_id)
                      AND (EXISTS (SELECT 1 FROM stack_labels sl JOIN agent_labels al ON al.label = sl.label
                                    WHERE sl.stack_id = s.id AND al.agent_id = held.agent_id)
                        OR EXISTS (SELECT 1 FROM stack_annotations sa
                                     JOIN agent_annotations aa ON aa.key = sa.key AND aa.value = sa.value
                                    WHERE sa.stack_id = s.id AND aa.agent_id = held.agent_id)))) AS agents
        FROM stacks s WHERE s.id = $1 AND s.deleted_at IS NULL""";
  /** The work order and which of the agents {@code $2} may claim it (the work-order queue's own condition). */
  private static final String WORK_ORDER = """
      SELECT w.id, w.created_at, w.updated_at, w.work_type, w.yaml_content, w.status, w.claimed_by, w.claimed_at,
             w.claim_timeout_seconds, w.max_retries, w.retry_count, w.backoff_seconds, w.next_retry_after,
             w.last_error, w.last_error_at,
             ARRAY(SELECT held.agent_id FROM\s""" + LOCAL + " WHERE " + WorkOrderRepository.eligible("held.agent_id") + """
      ) AS agents
        FROM work_orders w WHERE w.id = $1""";

  private final AgentSockets sockets;
  private final Supplier<Pool> pool;

  public AgentPushes(AgentSockets sockets, Supplier<Pool> pool) {
    this.sockets = sockets;
    this.pool = pool;
  }

  /** One {@code brokkr_push} payload; anything unreadable is ignored (it is only a hint). */
  public void notified(String payload) {
    String[] parts = payload == null ? new String[0] : payload.split(" ");
    try {
      switch (parts.length > 0 ? parts[0] : "") {
        case "target_added" -> targetAdded(parts[1], parts[2], parts[3]);
        case "targets_removed" -> deliver(UUID.fromString(parts[1]), frame(WsVariant.TARGET_CHANGED, target(NIL, parts[1], NIL)));
        case "stack_changed" -> matched(STACK, UUID.fromString(parts[1]), WsVariant.STACK_CHANGED);
        case "work_order" -> matched(WORK_ORDER, UUID.fromString(parts[1]), WsVariant.WORK_ORDER);
        default -> LOG.debug("push notification ignored: {}", payload);
      }
    } catch (RuntimeException e) {
      LOG.debug("push notification ignored: {}: {}", payload, e.toString());
    }
  }

  private void targetAdded(String id, String agentId, String stackId) {
    deliver(UUID.fromString(agentId), frame(WsVariant.TARGET_CHANGED, target(id, agentId, stackId)));
  }

  private static JsonObject target(String id, String agentId, String stackId) {
    return new JsonObject().put("id", id).put("agent_id", agentId).put("stack_id", stackId);
  }

  /** Reads the changed row and the agents of this replica it concerns; each of them gets the row as one frame. */
  private void matched(String sql, UUID id, WsVariant variant) {
    List<AgentConnection> local = sockets.all();
    if (local.isEmpty()) {
      return;
    }
    UUID[] agents = local.stream().map(c -> c.agentId).distinct().toArray(UUID[]::new);
    Future<?> done = pool.get().preparedQuery(sql).execute(Tuple.of(id).addArrayOfUUID(agents)).onSuccess(rows -> {
      for (Row row : rows) {
        UUID[] concerned = row.getArrayOfUUIDs("agents");
        JsonObject body = Rows.json(row);
        body.remove("agents");
        String frame = frame(variant, body);
        for (UUID agent : concerned) {
          deliver(agent, frame);
        }
      }
    });
    done.onFailure(e -> LOG.warn("{} push not sent id={}: {}", variant.wire(), id, FailureLog.oneLine(e.toString())));
  }

  private static String frame(WsVariant variant, JsonObject body) {
    return new WsFrame(variant, body).encode();
  }

  private void deliver(UUID agentId, String frame) {
    sockets.of(agentId).ifPresent(c -> {
      if (!c.push(Lane.CONTROL, frame)) {
        LOG.debug("push dropped agent_id={}", agentId);
      }
    });
  }
}
