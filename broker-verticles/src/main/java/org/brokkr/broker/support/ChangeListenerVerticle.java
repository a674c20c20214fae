package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.deployments.TargetStateCache;
import org.brokkr.codecs.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's one LISTEN connection: changes committed through any replica reach this one's
 * caches. PAK revocations ({@code brokkr_invalidate}) drop identities; target-state changes
 * ({@code brokkr_target_state}) drop computed target states. After every (re)subscribe both
 * caches start empty, because notifications sent while reconnecting were lost; if the connection
 * is given up for good, the target-state cache is bypassed from then on.
 */
public final class ChangeListenerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeListenerVerticle.class);

  private final PgConnectOptions options;
  private final Channels channels;
  private final AuthCache authCache;
  private final TargetStateCache targetStates;
  private PgSubscriber subscriber;
  private volatile boolean stopping;

  public ChangeListenerVerticle(PgConnectOptions options, Channels channels, AuthCache authCache, TargetStateCache targetStates) {
    this.options = options;
    this.channels = channels;
    this.authCache = authCache;
    this.targetStates = targetStates;
  }

  @Override
  public Future<?> start() {
    subscriber = PgSubscriber.subscriber(vertx, options);
    subscriber.reconnectPolicy(retries -> 500L);
    subscriber.closeHandler(v -> {
      if (!stopping) {
        LOG.warn("change notifications lost their connection; caches bypassed until it is back");
      }
      targetStates.listening(false);
      authCache.invalidate("*");
    });
    subscriber.channel(channels.invalidate())
        .handler(authCache::invalidate)
        .subscribeHandler(v -> {
          quietConnection();
          authCache.invalidate("*");
        });
    // another replica reloaded its configuration: the configuration's owner decides what to do
    subscriber.channel(channels.config())
        .handler(payload -> vertx.eventBus().publish(Addresses.CONFIG_PEER_RELOADED, payload));
    subscriber.channel(channels.targetState())
        .handler(targetStates::changed)
        .subscribeHandler(v -> targetStates.listening(true));
    return subscriber.connect();
  }

  /**
   * The server's notice that it ends the connection (a restart, an outage): notifications are lost
   * from now until the re-subscription, so the caches are bypassed at once rather than at the next
   * subscribe. Without a handler the client would print the notice to stderr.
   */
  private void quietConnection() {
    var connection = subscriber.actualConnection();
    if (connection != null) {
      connection.exceptionHandler(e -> {
        LOG.debug("change notification connection: {}", e.toString());
        targetStates.listening(false);
        authCache.invalidate("*");
      });
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    targetStates.listening(false);
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
