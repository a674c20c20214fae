package org.brokkr.broker.auth;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns identity resolution (PAK hash -> identity) and the auth operations. Revocations reach the
 * shared {@link AuthCache} through the change listener.
 */
public final class AuthVerticle extends ResourceVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  private static final String LIST_PAKS = """
      SELECT id, name FROM generators WHERE deleted_at IS NULL AND NOT is_system ORDER BY name""";

  private final Pool pool;
  private IdentityRepository identities;

  public AuthVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
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
    return super.start();
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
