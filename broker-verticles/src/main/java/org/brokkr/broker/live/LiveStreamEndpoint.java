package org.brokkr.broker.live;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.sqlclient.Pool;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.brokkr.broker.stacks.StackAccess;
import org.brokkr.broker.stacks.StackRepository;
import org.brokkr.broker.auth.PakAuthProvider;
import org.brokkr.broker.http.ApiDispatcher;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.Unavailable;
import org.brokkr.codecs.ApiError;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only subscriber streams, outside the contract like the agent channel:
 * {@code GET /api/v1/stacks/{id}/live} (admin or the owning generator) streams the stack's
 * telemetry frames, {@code GET /api/v1/fleet/live} (admin) the fleet's {@code fleet_update}
 * frames. The PAK comes in the {@code Authorization} header or, for clients that cannot set one
 * (browsers), as the subprotocol {@code brokkr.pak.<PAK>}; the server answers with the
 * subprotocol {@link #SUBPROTOCOL} only. Frames from the subscriber are ignored.
 */
public final class LiveStreamEndpoint {
  public static final String STACK_PATH = "/api/v1/stacks/:id/live";
  public static final String FLEET_PATH = "/api/v1/fleet/live";
  public static final String SUBPROTOCOL = "brokkr.v1";
  static final String PAK_SUBPROTOCOL_PREFIX = "brokkr.pak.";
  private static final Logger LOG = LoggerFactory.getLogger(LiveStreamEndpoint.class);

  private final Vertx vertx;
  private final LiveStreams streams;
  private final Supplier<Pool> pool;
  private final StackAccess stacks = new StackAccess(new StackRepository());

  public LiveStreamEndpoint(Vertx vertx, LiveStreams streams, Supplier<Pool> pool) {
    this.vertx = vertx;
    this.streams = streams;
    this.pool = pool;
  }

  /**
   * The PAK a subscriber presents, as an {@code Authorization} value: the header if there is one,
   * else a {@code brokkr.pak.} subprotocol entry.
   */
  public static Optional<String> credential(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header != null) {
      return Optional.of(header);
    }
    String offered = request.getHeader("Sec-WebSocket-Protocol");
    if (offered == null) {
      return Optional.empty();
    }
    for (String entry : offered.split(",")) {
      String p = entry.trim();
      if (p.startsWith(PAK_SUBPROTOCOL_PREFIX) && p.length() > PAK_SUBPROTOCOL_PREFIX.length()) {
        return Optional.of("Bearer " + p.substring(PAK_SUBPROTOCOL_PREFIX.length()));
      }
    }
    return Optional.empty();
  }

  /**
   * A live subscriber: an unknown or missing PAK is a 401, a caller who may not follow the stack
   * (or the fleet) a 403 (404 for an unknown stack), a request that is not an upgrade a 400.
   */
  public void handle(RoutingContext ctx, boolean stack, PakAuthProvider authProvider) {
    UUID stackId = null;
    if (stack) {
      try {
        stackId = UUID.fromString(ctx.pathParam("id"));
      } catch (IllegalArgumentException e) {
        ApiDispatcher.writeError(ctx, ApiError.invalid("invalid_path_parameter", "path parameter 'id' is not a UUID"));
        return;
      }
    }
    Optional<String> credential = credential(ctx.request());
    if (credential.isEmpty()) {
      ctx.fail(401);
      return;
    }
    UUID followed = stackId;
    ctx.request().pause();
    authProvider.identify(credential.get())
        .compose(caller -> {
          if (followed == null) {
            Access.requireAdmin(caller);
            return Future.<Void>succeededFuture();
          }
          return stacks.owned(pool.get(), caller, followed).<Void>mapEmpty();
        })
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.request().resume();
            if (ar.cause() instanceof ApiError error) {
              ApiDispatcher.writeError(ctx, error);
            } else if (ar.cause() instanceof HttpException he) {
              ctx.fail(he.getStatusCode(), he);
            } else {
              ApiDispatcher.writeError(ctx, Unavailable.database());
            }
            return;
          }
          if (!ctx.request().canUpgradeToWebSocket()) {
            ctx.request().resume();
            ApiDispatcher.writeError(ctx, ApiError.invalid("websocket_upgrade_required", "this endpoint speaks WebSocket only"));
            return;
          }
          upgrade(ctx.request(), followed);
        });
  }

  /** Upgrades the request of an authorized subscriber: {@code stackId} null for the fleet. */
  private void upgrade(HttpServerRequest request, UUID stackId) {
    Context context = vertx.getOrCreateContext();
    Future<ServerWebSocket> handshake;
    try {
      handshake = request.toWebSocket();
    } catch (RuntimeException e) {
      handshake = Future.failedFuture(e);
    }
    handshake.onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("live subscriber upgrade failed stack_id={}: {}", stackId, ar.cause().toString());
        return;
      }
      ServerWebSocket socket = ar.result();
      LiveSubscriber subscriber = new LiveSubscriber(socket, context, stackId);
      socket.handler(b -> { });
      socket.exceptionHandler(e -> LOG.debug("live subscriber socket error stack_id={}: {}", stackId, e.toString()));
      socket.closeHandler(v -> {
        streams.remove(subscriber);
        LOG.debug("live subscriber closed stack_id={}", stackId);
      });
      streams.add(subscriber);
      LOG.debug("live subscriber opened stack_id={}", stackId);
    });
  }
}
