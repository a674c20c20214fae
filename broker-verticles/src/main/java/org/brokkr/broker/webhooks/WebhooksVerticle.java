package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Journal;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.EventTypes;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Randomness;
import org.brokkr.codecs.webhooks.WebhookPoster;

/** Webhook subscriptions (admin only): create, read, change, delete, their deliveries, a test post. */
public final class WebhooksVerticle extends ResourceVerticle {
  /** A test post must answer before the HTTP front stops waiting for this verticle (30 s). */
  static final int TEST_TIMEOUT_CAP_SECONDS = 25;
  private static final String RESOURCE = "webhook_subscription";

  private final Pool pool;
  private final WebhookCipher cipher;
  private final WebhookRepository repo = new WebhookRepository();
  private WebhookPoster poster;

  public WebhooksVerticle(Pool pool, WebhookCipher cipher) {
    this.pool = pool;
    this.cipher = cipher;
  }

  @Override
  public String address() {
    return Addresses.WEBHOOKS;
  }

  @Override
  protected void defineOperations() {
    on("list_webhooks", this::list);
    on("create_webhook", this::create);
    on("list_event_types", req -> {
      Access.requireAdmin(req.caller());
      return Future.succeededFuture(ApiResponse.ok(new JsonArray(EventTypes.ALL)));
    });
    on("get_webhook", this::get);
    on("update_webhook", this::update);
    on("delete_webhook", this::delete);
    on("list_deliveries", this::deliveries);
    on("test_webhook", this::test);
  }

  @Override
  public Future<?> start() {
    poster = new WebhookPoster(vertx, 5);
    return super.start();
  }

  @Override
  public Future<?> stop() {
    return poster == null ? Future.succeededFuture() : poster.close();
  }

  private Future<ApiResponse> list(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return repo.list(pool).map(ApiResponse::ok);
  }

  private Future<ApiResponse> get(ApiRequest req) {
    Access.requireAdmin(req.caller());
    return repo.find(pool, req.pathId("id")).map(found -> ApiResponse.ok(existing(found)));
  }

  private Future<ApiResponse> create(ApiRequest req) {
    Access.requireAdmin(req.caller());
    WebhookInput.Creation c = WebhookInput.creation(req.jsonObjectBody("invalid_request_body"));
    byte[] url = cipher.encrypt(c.url());
    byte[] auth = c.authHeader() == null ? null : cipher.encrypt(c.authHeader());
    byte[] secret = c.signingSecret() == null ? null : cipher.encrypt(c.signingSecret());
    return pool.withTransaction(conn -> repo.insert(conn, c, url, auth, secret).compose(created -> Journal.audit(conn,
            AuditEntry.of(req, "webhook.created", RESOURCE, UUID.fromString(created.getString("id")),
                new JsonObject().put("name", c.name()).put("event_types", new JsonArray(c.eventTypes()))))
        .map(v -> ApiResponse.created(created))));
  }

  private Future<ApiResponse> update(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    WebhookInput.Changes c = WebhookInput.changes(req.jsonObjectBody("invalid_request_body"));
    if (!cipher.configured()) {
      // the same rule as for a creation: without the key no stored subscription is usable
      throw WebhookCipher.keyMissing();
    }
    byte[] url = c.url().present() ? cipher.encrypt(c.url().value()) : null;
    byte[] auth = c.authHeader().value() == null ? null : cipher.encrypt(c.authHeader().value());
    byte[] secret = c.signingSecret().value() == null ? null : cipher.encrypt(c.signingSecret().value());
    return pool.withTransaction(conn -> repo.update(conn, id, c, url, auth, secret).compose(updated -> {
      existing(updated);
      return Journal.audit(conn, AuditEntry.of(req, "webhook.updated", RESOURCE, id, new JsonObject()
              .put("name", updated.getString("name")).put("enabled", updated.getBoolean("enabled"))))
          .map(v -> ApiResponse.ok(updated));
    }));
  }

  private Future<ApiResponse> delete(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    return pool.withTransaction(conn -> repo.delete(conn, id).compose(name -> {
      if (name == null) {
        throw notFound();
      }
      return Journal.audit(conn, AuditEntry.of(req, "webhook.deleted", RESOURCE, id, new JsonObject().put("name", name)))
          .map(v -> ApiResponse.noContent());
    }));
  }

  private Future<ApiResponse> deliveries(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    long limit = longQuery(req, "limit", 50);
    long offset = longQuery(req, "offset", 0);
    String status = req.queryParam("status").orElse(null);
    return repo.exists(pool, id).compose(found -> {
      if (!found) {
        throw notFound();
      }
      return repo.deliveries(pool, id, status, limit, offset);
    }).map(ApiResponse::ok);
  }

  /** Posts a {@code webhook.test} event now, with the subscription's headers; no delivery row is kept. */
  private Future<ApiResponse> test(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID id = req.pathId("id");
    return repo.target(pool, id).compose(target -> {
      if (target == null) {
        throw notFound();
      }
      if (!cipher.configured()) {
        throw WebhookCipher.keyMissing();
      }
      String url;
      String auth;
      byte[] key;
      try {
        url = cipher.decrypt(target.url());
        auth = target.authHeader() == null ? null : cipher.decrypt(target.authHeader());
        key = target.signingSecret() == null ? null : WebhookSignature.keyOf(cipher.decrypt(target.signingSecret()));
      } catch (WebhookCipher.Undecryptable e) {
        throw new ApiError(Failure.INTERNAL, "webhook_decrypt_failed",
            "the stored webhook values cannot be decrypted with the configured key (fingerprint "
                + cipher.fingerprint() + ")");
      }
      String eventId = Randomness.uuid().toString();
      String body = new JsonObject().put("id", eventId).put("event_type", "webhook.test")
          .put("timestamp", Rows.timestamp(OffsetDateTime.now(ZoneOffset.UTC)))
          .put("data", new JsonObject().put("message", "This is a test webhook delivery from Brokkr")
              .put("subscription_id", id.toString()))
          .encode();
      int timeout = Math.min(Math.max(1, target.timeoutSeconds()), TEST_TIMEOUT_CAP_SECONDS);
      return poster.post(url, WebhookPoster.headers(auth, WebhookSignature.now(key, eventId, body)), body, timeout).map(outcome -> {
        if (outcome.delivered()) {
          return ApiResponse.ok(new JsonObject().put("success", true).put("status_code", outcome.status())
              .put("message", "Test delivery successful"));
        }
        if (outcome.status() > 0) {
          String start = outcome.body() == null ? "" : outcome.body();
          throw new ApiError(Failure.INVALID, "webhook_test_failed", "endpoint returned HTTP " + outcome.status(),
              new JsonObject().put("status_code", outcome.status())
                  .put("body", start.length() > 500 ? start.substring(0, 500) : start));
        }
        throw ApiError.invalid("webhook_test_failed", "request failed: " + outcome.failure());
      });
    });
  }

  private static long longQuery(ApiRequest req, String name, long fallback) {
    String raw = req.queryParam(name).orElse(null);
    if (raw == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw ApiError.invalid("invalid_query_parameter", name + " must be an integer");
    }
    if (value < 0) {
      throw ApiError.invalid("invalid_query_parameter", name + " cannot be negative");
    }
    return value;
  }

  private static JsonObject existing(JsonObject subscription) {
    if (subscription == null) {
      throw notFound();
    }
    return subscription;
  }

  private static ApiError notFound() {
    return ApiError.notFound("webhook_not_found", "webhook subscription not found");
  }
}
