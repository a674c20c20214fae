package org.brokkr.broker.auth;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.Invalidation;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns identity resolution (PAK hash -> identity) and the auth operations. Listens on the
 * invalidation channel so that a PAK rotated or deleted through any replica stops working here
 * within the notification latency; after a reconnect it drops the whole cache (pings may have
 * been missed).
 */
public final class AuthVerticle extends ResourceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  private static final String LIST_PAKS = """
      SELECT id, name FROM generators WHERE deleted_at IS NULL AND NOT is_system ORDER BY name""";

  private final Pool pool;
  private final PgConnectOptions listenOptions;
  private final AuthCache cache;
  private IdentityRepository identities;
  private PgSubscriber subscriber;

  public AuthVerticle(Pool pool, PgConnectOptions listenOptions, AuthCache cache) {
    this.pool = pool;
    this.listenOptions = listenOptions;
    this.cache = cache;
  }

  @Override
  protected String address() {
    return Addresses.AUTH;
  }

  @Override
  protected void defineOperations() {
    on("verify_pak", req -> Future.succeededFuture(ApiResponse.ok(req.caller().toAuthResponse())));
    on("list_paks", this::listPaks);
  }

  @Override
  public Future<?> start() {
    identities = new IdentityRepository(pool);
    vertx.eventBus().<String>consumer(Addresses.AUTH_VERIFY, this::verify);
    subscriber = PgSubscriber.subscriber(vertx, listenOptions);
    subscriber.reconnectPolicy(retries -> 500L);
    subscriber.channel(Invalidation.CHANNEL)
        .handler(cache::invalidate)
        .subscribeHandler(v -> cache.invalidate("*"));
    return super.start().compose(v -> subscriber.connect());
  }

  @Override
  public Future<?> stop() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }

  private void verify(Message<String> message) {
    identities.resolve(message.body()).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("identity lookup failed: {}", ar.cause().toString());
        message.fail(Failure.UNAVAILABLE.number(), "identity lookup failed");
      } else if (ar.result().isEmpty()) {
        message.fail(Failure.UNAUTHORIZED.number(), "unknown PAK");
      } else {
        message.reply(ar.result().get());
      }
    });
  }

  private Future<ApiResponse> listPaks(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return pool.query(LIST_PAKS).execute().map(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(new JsonObject().put("id", r.getUUID("id").toString()).put("name", r.getString("name"))));
      return ApiResponse.ok(out);
    });
  }
}
