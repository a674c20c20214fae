package org.brokkr.broker.telemetry;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.brokkr.broker.live.LiveStreams;
import org.brokkr.broker.stacks.Matching;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.live.WsFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telemetry frames of the agents' sockets ({@code k8s_event}, {@code pod_log_line},
 * {@code log_gap}): a frame about a stack its agent is not given is dropped (and counted); the
 * others are broadcast to the stack's live subscribers, and events and log lines are queued for
 * storage. The caller has checked that the body speaks for the socket's agent.
 */
public final class TelemetryIngest {
  private static final Logger LOG = LoggerFactory.getLogger(TelemetryIngest.class);

  private final Supplier<Pool> pool;
  private final TelemetryCounters counters;
  private final TelemetryWriter writer;
  private final StackGrants grants;
  private final LiveStreams streams;

  public TelemetryIngest(Supplier<Pool> pool, TelemetryCounters counters, TelemetryWriter writer, StackGrants grants,
      LiveStreams streams) {
    this.pool = pool;
    this.counters = counters;
    this.writer = writer;
    this.grants = grants;
    this.streams = streams;
  }

  public TelemetryCounters counters() {
    return counters;
  }

  public LiveStreams streams() {
    return streams;
  }

  public Supplier<Pool> pool() {
    return pool;
  }

  /** The telemetry side of one agent's socket; used on that socket's event loop only. */
  public Socket socket(UUID agentId) {
    return new Socket(agentId);
  }

  /** One socket's view of what its agent is given, read again only when the grants moved. */
  public final class Socket {
    private final UUID agentId;
    private Future<Set<UUID>> given;
    private StackGrants.Version readAt;
    private long readAtNanos;

    Socket(UUID agentId) {
      this.agentId = agentId;
    }

    /**
     * Serves one telemetry frame. The answer is complete at once in steady state; while the
     * agent's stacks are being read it completes afterwards (the caller stops reading meanwhile).
     */
    public Future<Void> received(WsFrame frame) {
      UUID stack = UUID.fromString(frame.body().getString("stack_id"));
      Future<Set<UUID>> stacks = given();
      if (stacks.isComplete()) {
        serve(frame, stack, stacks);
        return Future.succeededFuture();
      }
      return stacks.transform(ar -> {
        serve(frame, stack, stacks);
        return Future.succeededFuture();
      });
    }

    private void serve(WsFrame frame, UUID stack, Future<Set<UUID>> stacks) {
      if (stacks.failed() || !stacks.result().contains(stack)) {
        counters.stackNotGiven.increment();
        LOG.debug("telemetry frame dropped agent_id={} stack_id={}: not a stack of this agent", agentId, stack);
        return;
      }
      accept(frame, stack);
    }

    private Future<Set<UUID>> given() {
      StackGrants.Version now = grants.version(agentId);
      boolean fresh = given != null && now.equals(readAt) && !given.failed()
          && (!given.isComplete() || System.nanoTime() - readAtNanos < StackGrants.MAX_AGE_NANOS);
      if (!fresh) {
        readAt = now;
        readAtNanos = System.nanoTime();
        given = pool.get().preparedQuery(Matching.ASSOCIATED_STACK_IDS).execute(Tuple.of(agentId)).map(rows -> {
          Set<UUID> ids = new HashSet<>();
          for (Row r : rows) {
            ids.add(r.getUUID(0));
          }
          return ids;
        });
        given.onFailure(e -> LOG.warn("stacks of agent not read agent_id={}: {}", agentId, FailureLog.oneLine(e.toString())));
      }
      return given;
    }
  }

  private void accept(WsFrame frame, UUID stack) {
    counters.accepted.increment();
    streams.stackFrame(stack, frame.encode());
    JsonObject b = frame.body();
    boolean queued = switch (frame.variant()) {
      case K8S_EVENT -> writer.event(new String[] {b.getString("agent_id"), b.getString("stack_id"),
          b.getString("observed_at"), text(b.getString("reason")), text(b.getString("message")),
          text(b.getString("event_type")), text(b.getString("source")), involved(b.getJsonObject("involved_object"))});
      case POD_LOG_LINE -> writer.logLine(new String[] {b.getString("agent_id"), b.getString("stack_id"),
          text(b.getString("namespace")), text(b.getString("pod")), text(b.getString("container")), b.getString("ts"),
          text(b.getString("line"))});
      default -> true;
    };
    if (!queued) {
      counters.queueFull.increment();
    }
  }

  /** The involved object as jsonb text; its values are all text (or null) once the frame is parsed. */
  private static String involved(JsonObject o) {
    JsonObject clean = new JsonObject();
    o.forEach(e -> clean.put(e.getKey(), e.getValue() instanceof String v ? text(v) : e.getValue()));
    return clean.encode();
  }

  /** PostgreSQL text (and jsonb) cannot hold NUL: it is replaced. */
  private static String text(String s) {
    return s == null || s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
  }
}
