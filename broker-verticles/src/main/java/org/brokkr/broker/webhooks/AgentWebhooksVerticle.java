package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.webhooks.WebhookPoster;

/**
 * Deliveries agents post for the broker (subscriptions with target labels): an agent claims those
 * whose every target label it carries, posts them from inside its cluster, and reports the result.
 * Only the agent holding a delivery may report on it.
 */
public final class AgentWebhooksVerticle extends ResourceVerticle {
  /** Deliveries handed out per poll (the reference's number). */
  static final int CLAIM_LIMIT = 10;
  private static final int MAX_ERROR = 2000;
  private static final String LIVE_AGENT = "SELECT 1 FROM agents WHERE id = $1 AND deleted_at IS NULL";

  private final Pool pool;
  private final WebhookCipher cipher;
  private final int claimTtlSeconds;
  private final DeliveryRepository deliveries = new DeliveryRepository();

  public AgentWebhooksVerticle(Pool pool, WebhookCipher cipher, int claimTtlSeconds) {
    this.pool = pool;
    this.cipher = cipher;
    this.claimTtlSeconds = claimTtlSeconds;
  }

  @Override
  public String address() {
    return Addresses.AGENT_WEBHOOKS;
  }

  @Override
  protected void defineOperations() {
    on("get_pending_agent_webhooks", this::pending);
    on("report_delivery_result", this::report);
  }

  private Future<ApiResponse> pending(ApiRequest req) {
    UUID agentId = req.pathId("agent_id");
    Access.requireAdminOrAgent(req.caller(), agentId);
    return pool.preparedQuery(LIVE_AGENT).execute(Tuple.of(agentId)).compose(rows -> {
      if (rows.size() == 0) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      if (!cipher.configured()) {
        // no key, no subscription anyone could have made: nothing to hand out (and stored
        // deliveries keep waiting); an agent polling every 10 s is not told about the setting
        return Future.succeededFuture(new JsonArray());
      }
      return pool.withTransaction(conn -> deliveries.claimForAgent(conn, agentId, CLAIM_LIMIT, claimTtlSeconds)
          .compose(claimed -> handOut(conn, claimed)));
    }).map(ApiResponse::ok);
  }

  /** The claimed deliveries with their destinations; one that cannot be decrypted dies instead. */
  private Future<JsonArray> handOut(SqlConnection conn, List<DeliveryRepository.Claimed> claimed) {
    JsonArray out = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (DeliveryRepository.Claimed d : claimed) {
      chain = chain.compose(v -> {
        try {
          out.add(pendingDelivery(d));
          return Future.succeededFuture();
        } catch (WebhookCipher.Undecryptable e) {
          String error = "Failed to decrypt webhook values: " + e.getMessage();
          return deliveries.markFailure(conn, d.id(), error, false, d.maxRetries())
              .compose(dead -> dead == null ? Future.<Void>succeededFuture()
                  : DeliveryRepository.auditDeath(conn, d.id(), dead, error, null, false, null));
        }
      });
    }
    return chain.map(out);
  }

  private JsonObject pendingDelivery(DeliveryRepository.Claimed d) {
    String url = cipher.decrypt(d.url());
    String auth = d.authHeader() == null ? null : cipher.decrypt(d.authHeader());
    byte[] key = d.signingSecret() == null ? null : WebhookSignature.keyOf(cipher.decrypt(d.signingSecret()));
    JsonObject signature = key == null ? null
        : new JsonObject(new java.util.LinkedHashMap<>(WebhookSignature.now(key, d.eventId().toString(), d.payload())));
    return new JsonObject()
        .put("id", d.id().toString()).put("subscription_id", d.subscriptionId().toString())
        .put("event_type", d.eventType()).put("payload", d.payload())
        .put("url", url).put("auth_header", auth)
        .put("timeout_seconds", d.timeoutSeconds()).put("max_retries", d.maxRetries()).put("attempts", d.attempts())
        .put("signature_headers", signature);
  }

  private Future<ApiResponse> report(ApiRequest req) {
    Identity caller = req.caller();
    if (caller.kind() != Identity.Kind.AGENT) {
      throw ApiError.forbidden("agent_pak_required", "agent authentication required");
    }
    UUID deliveryId = req.pathId("id");
    JsonObject body = req.jsonObjectBody("invalid_request_body");
    if (!(body.getValue("success") instanceof Boolean success)) {
      throw new ApiError(Failure.UNPROCESSABLE, "invalid_request_body", "invalid request body: success must be a boolean");
    }
    Integer statusCode = optionalInt(body, "status_code", 100, 599);
    optionalInt(body, "duration_ms", 0, Integer.MAX_VALUE);
    Object rawError = body.getValue("error");
    if (rawError != null && !(rawError instanceof String)) {
      throw new ApiError(Failure.UNPROCESSABLE, "invalid_request_body", "invalid request body: error must be a string");
    }
    return pool.withTransaction(conn -> deliveries.lockForReport(conn, deliveryId).compose(d -> {
      if (d == null) {
        throw ApiError.notFound("delivery_not_found", "delivery not found");
      }
      if (!"acquired".equals(d.status()) || !caller.id().equals(d.acquiredBy())) {
        throw ApiError.forbidden("delivery_not_acquired_by_agent", "delivery not acquired by this agent");
      }
      if (success) {
        return deliveries.markSuccess(conn, List.of(deliveryId)).map(n -> ApiResponse.ok(
            new JsonObject().put("status", "success").put("delivery_id", deliveryId.toString())));
      }
      String error = redacted(failureMessage((String) rawError, statusCode), d);
      boolean retryable = statusCode == null || WebhookPoster.retryableStatus(statusCode);
      return deliveries.markFailure(conn, deliveryId, error, retryable, d.maxRetries()).compose(recorded -> {
        Future<Void> audited = recorded.dead()
            ? DeliveryRepository.auditDeath(conn, deliveryId, recorded, error, statusCode, retryable, caller.id())
            : Future.succeededFuture();
        return audited.map(v -> ApiResponse.ok(new JsonObject().put("status", recorded.status())
            .put("delivery_id", deliveryId.toString()).put("attempts", recorded.attempts())
            .put("next_retry_at", recorded.nextRetryAt() == null ? null : Rows.timestamp(recorded.nextRetryAt()))));
      });
    }));
  }

  /** The reference's text: {@code HTTP <code>: <error>} (unless the error already says so), {@code HTTP <code>}, the error, or "Unknown error". */
  static String failureMessage(String error, Integer statusCode) {
    String detail = error == null || error.trim().isEmpty() ? null : error.trim();
    if (detail != null && detail.length() > MAX_ERROR) {
      detail = detail.substring(0, MAX_ERROR);
    }
    if (statusCode != null) {
      if (detail == null) {
        return "HTTP " + statusCode;
      }
      return detail.startsWith("HTTP " + statusCode) ? detail : "HTTP " + statusCode + ": " + detail;
    }
    return detail == null ? "Unknown error" : detail;
  }

  /** An agent's error text may quote the URL or the auth header; neither is stored. */
  private String redacted(String error, DeliveryRepository.Reported d) {
    if (!cipher.configured()) {
      return error;
    }
    String out = error;
    try {
      out = out.replace(cipher.decrypt(d.url()), "[webhook url]");
      if (d.authHeader() != null) {
        String auth = cipher.decrypt(d.authHeader());
        if (!auth.isEmpty()) {
          out = out.replace(auth, "[auth header]");
        }
      }
    } catch (WebhookCipher.Undecryptable e) {
      // nothing to compare with: keep the agent's text
    }
    return out;
  }

  private static Integer optionalInt(JsonObject body, String key, int min, int max) {
    Object raw = body.getValue(key);
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof Integer || raw instanceof Long)) {
      throw new ApiError(Failure.UNPROCESSABLE, "invalid_request_body", "invalid request body: " + key + " must be an integer");
    }
    long value = ((Number) raw).longValue();
    if (value < min || value > max) {
      throw ApiError.invalid("invalid_delivery_result", key + " must be between " + min + " and " + max);
    }
    return (int) value;
  }
}
