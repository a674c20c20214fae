package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Randomness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's open agent sockets, at most one per agent (a newer one closes the older), shared
 * by every HTTP verticle instance; each is also recorded in {@code agent_ws_connections} for the
 * whole deployment. A socket ends as soon as its PAK is revoked (rotation or agent deletion),
 * whichever replica the revocation went through: the auth cache tells this registry of every
 * revoked hash, and of a possible loss of notifications, after which every socket's PAK is checked again.
 */
public final class AgentSockets {
  private static final Logger LOG = LoggerFactory.getLogger(AgentSockets.class);
  static final short REPLACED = 4000;
  static final short REVOKED = 4001;
  private static final DeliveryOptions VERIFY = new DeliveryOptions().setSendTimeout(10_000);

  private final Map<UUID, AgentConnection> open = new ConcurrentHashMap<>();
  private final AgentSocketRepository repo = new AgentSocketRepository();
  private final String replicaId;
  private final AuthCache authCache;
  private final Supplier<Pool> pool;
  private final PushCounters counters = new PushCounters();
  private volatile Vertx vertx;

  public AgentSockets(AuthCache authCache, Supplier<Pool> pool) {
    this.authCache = authCache;
    this.pool = pool;
    String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("broker");
    this.replicaId = host + "-" + Randomness.uuid().toString().substring(0, 8);
    authCache.onRevocation(this::revoked);
  }

  /** The id this replica's rows carry in {@code agent_ws_connections}. */
  public String replicaId() {
    return replicaId;
  }

  /** Frames queued and dropped on this replica's sockets, by lane. */
  public PushCounters counters() {
    return counters;
  }

  long authGeneration() {
    return authCache.generation();
  }

  /** Takes {@code c} as its agent's socket, closing an older one, and records it; re-checks its PAK if a revocation came meanwhile. */
  void opened(Vertx vertx, AgentConnection c, long authGenerationAtLookup) {
    this.vertx = vertx;
    AgentConnection previous = open.put(c.agentId, c);
    if (previous != null) {
      LOG.info("agent socket replaced agent_id={}", c.agentId);
      previous.close(REPLACED, "replaced by a newer connection");
    }
    repo.opened(pool.get(), c, replicaId)
        .onSuccess(v -> fleetChanged(c))
        .onFailure(e -> LOG.warn("agent socket not recorded agent_id={}: {}", c.agentId, FailureLog.oneLine(e.toString())));
    if (authCache.generation() != authGenerationAtLookup) {
      reverify(c);
    }
  }

  void closed(AgentConnection c) {
    open.remove(c.agentId, c);
    repo.closed(pool.get(), c)
        .onSuccess(v -> fleetChanged(c))
        .onFailure(e -> LOG.warn("agent socket record not removed agent_id={}: {}", c.agentId, FailureLog.oneLine(e.toString())));
  }

  private void fleetChanged(AgentConnection c) {
    Vertx v = vertx;
    if (v != null) {
      v.eventBus().publish(Addresses.FLEET_AGENT_CHANGED, c.agentId.toString());
    }
  }

  /** The open socket of an agent on this replica, if any. */
  Optional<AgentConnection> of(UUID agentId) {
    return Optional.ofNullable(open.get(agentId));
  }

  List<AgentConnection> all() {
    return new ArrayList<>(open.values());
  }

  private void revoked(String hash) {
    if ("*".equals(hash)) {
      open.values().forEach(this::reverify);
      return;
    }
    for (AgentConnection c : open.values()) {
      if (c.pakHash.equals(hash)) {
        LOG.info("agent socket closed: PAK revoked agent_id={}", c.agentId);
        c.close(REVOKED, "PAK revoked");
      }
    }
  }

  /** Asks the identity owner whether the socket's PAK still names its agent; closes it when not. */
  private void reverify(AgentConnection c) {
    Vertx v = vertx;
    if (v == null) {
      return;
    }
    v.eventBus().<Identity>request(Addresses.AUTH_VERIFY, c.pakHash, VERIFY).onComplete(ar -> {
      boolean refused = ar.failed()
          ? ar.cause() instanceof ReplyException re && re.failureCode() == Failure.UNAUTHORIZED.number()
          : !ar.result().body().isAgent(c.agentId);
      if (refused) {
        LOG.info("agent socket closed: PAK no longer valid agent_id={}", c.agentId);
        c.close(REVOKED, "PAK revoked");
      }
    });
  }

  /** Refreshes this replica's rows (and their counters) and drops rows of replicas that stopped refreshing. */
  Future<Void> refresh() {
    Pool p = pool.get();
    return repo.refresh(p, all()).compose(v -> repo.expire(p));
  }

  /** Rows this replica id left behind (none unless the id is reused), at start; and its own, at stop. */
  Future<Void> forgetOwnRows() {
    return repo.forgetReplica(pool.get(), replicaId);
  }

  /** Closes every socket of this replica (the broker is stopping). */
  void closeAll() {
    open.values().forEach(c -> c.close((short) 1001, "broker stopping"));
    open.clear();
  }

  AgentSocketRepository repository() {
    return repo;
  }
}
