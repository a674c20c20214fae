package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.brokkr.broker.support.FailureLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this replica's rows of {@code agent_ws_connections} alive (and their counters current),
 * drops rows of replicas that stopped refreshing theirs, and at start and stop removes the rows
 * of this replica id. One instance per broker.
 */
public final class AgentSocketLeaseVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentSocketLeaseVerticle.class);

  private final AgentSockets sockets;
  private long timer = -1;
  private boolean refreshing;

  public AgentSocketLeaseVerticle(AgentSockets sockets) {
    this.sockets = sockets;
  }

  @Override
  public Future<?> start() {
    return sockets.forgetOwnRows().onSuccess(v -> timer = vertx.setPeriodic(AgentSocketRepository.REFRESH_MILLIS, id -> refresh()));
  }

  private void refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    sockets.refresh()
        .onFailure(e -> LOG.warn("agent socket records not refreshed: {}", FailureLog.oneLine(e.toString())))
        .onComplete(ar -> refreshing = false);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    sockets.closeAll();
    return sockets.forgetOwnRows().recover(e -> {
      LOG.warn("agent socket records of this replica not removed: {}", FailureLog.oneLine(e.toString()));
      return Future.succeededFuture();
    });
  }
}
