package org.brokkr.broker.ops;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;

/**
 * {@code POST /admin/config/reload}: asks this broker's {@link ConfigReloadVerticle} to reload,
 * audits what changed ({@code config.reloaded}) and answers the reference's shape. Admin only.
 */
public final class AdminConfigVerticle extends ResourceVerticle {
  private static final long RELOAD_TIMEOUT_MS = 30_000;

  private final Pool pool;

  public AdminConfigVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String address() {
    return Addresses.CONFIG;
  }

  @Override
  protected void defineOperations() {
    on("reload_config", this::reload);
  }

  private Future<ApiResponse> reload(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return vertx.eventBus().<JsonObject>request(Addresses.CONFIG_RELOAD, new JsonObject().put("origin", "api"),
            new DeliveryOptions().setSendTimeout(RELOAD_TIMEOUT_MS))
        .map(Message::body)
        .recover(e -> Future.failedFuture(new ApiError(Failure.INTERNAL, "internal_error",
            "configuration reload failed: " + e.getMessage())))
        .compose(answer -> pool.withTransaction(conn -> Journal.audit(conn, AuditEntry.of(req, "config.reloaded", "config",
                null, new JsonObject().put("changes", answer.getJsonArray("changes"))
                    .put("restart_required", answer.getJsonArray("restart_required")))))
            .map(v -> ApiResponse.ok(answer)));
  }
}
