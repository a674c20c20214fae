package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.brokkr.broker.config.ReloadableSettings;
import org.brokkr.broker.config.WebhookSettings;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.webhooks.WebhookPoster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts the deliveries the broker sends itself (no target labels). Claims are per subscription
 * and bounded by that subscription's free slots, so a receiver that hangs or is down holds at most
 * {@code subscriptionConcurrency} posts and never the others' turn; all posts run concurrently up
 * to {@code deliveryConcurrency}. Claims are atomic ({@code SKIP LOCKED}), so N replicas never post
 * the same delivery twice. Every {@code deliveryIntervalSeconds} it releases expired claims, makes
 * due retries pending again and looks for waiting deliveries it has not been told about; the
 * dispatcher of this broker tells it of new ones at once, and a failed attempt wakes it when its
 * retry is due. Successes are recorded in batches. One instance per broker.
 */
public final class DeliveryWorkerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorkerVerticle.class);
  /** The reference keeps this much of an error response's body in {@code last_error}. */
  private static final int ERROR_BODY_CHARS = 200;

  private final Pool pool;
  private final WebhookCipher cipher;
  private WebhookSettings settings;
  private final DeliveryRepository repo = new DeliveryRepository();
  private final Map<UUID, Integer> inFlight = new HashMap<>();
  private final Set<UUID> waiting = new LinkedHashSet<>();
  private final List<UUID> successes = new ArrayList<>();
  private WebhookPoster poster;
  private MessageConsumer<JsonArray> due;
  private long sweepTimer = -1;
  private long retryTimer = -1;
  private long retryAt = Long.MAX_VALUE;
  private int total;
  private boolean claiming;
  private boolean again;
  private boolean flushing;
  private boolean sweeping;

  public DeliveryWorkerVerticle(Pool pool, WebhookCipher cipher, WebhookSettings settings) {
    this.pool = pool;
    this.cipher = cipher;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    if (!cipher.configured()) {
      LOG.warn("webhook encryption key not set ({}): webhooks cannot be created or changed, and stored deliveries"
          + " wait until the key is configured", WebhookCipher.KEY_ENV);
      return Future.succeededFuture();
    }
    LOG.info("webhook delivery worker key_fingerprint={} interval_s={} batch={} concurrency={} per_subscription={}",
        cipher.fingerprint(), settings.deliveryIntervalSeconds(), settings.deliveryBatchSize(),
        settings.deliveryConcurrency(), settings.subscriptionConcurrency());
    poster = new WebhookPoster(vertx, settings.deliveryConcurrency());
    due = vertx.eventBus().<JsonArray>localConsumer(Addresses.WEBHOOK_DELIVERIES_DUE, message -> {
      message.body().forEach(id -> waiting.add(UUID.fromString((String) id)));
      pump();
    });
    sweepTimer = vertx.setPeriodic(1, settings.deliveryIntervalSeconds() * 1000L, id -> sweep());
    // interval and batch size are reloadable: a new interval restarts the sweep timer
    ReloadableSettings.subscribe(vertx, r -> {
      int before = settings.deliveryIntervalSeconds();
      settings = settings.withDelivery(r.webhookDeliveryIntervalSeconds(), r.webhookDeliveryBatchSize());
      if (before != settings.deliveryIntervalSeconds()) {
        vertx.cancelTimer(sweepTimer);
        long millis = settings.deliveryIntervalSeconds() * 1000L;
        sweepTimer = vertx.setPeriodic(millis, millis, id -> sweep());
      }
    });
    return due.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(retryTimer);
    Future<Void> flushed = successes.isEmpty() ? Future.succeededFuture() : repo.markSuccess(pool, List.copyOf(successes)).mapEmpty();
    return flushed.recover(e -> Future.succeededFuture()).compose(v -> poster == null ? Future.succeededFuture() : poster.close());
  }

  /** Expired claims and due retries back to pending, then every subscription with waiting deliveries. */
  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    repo.releaseAndPromote(pool)
        .compose(counts -> {
          if (counts[0] > 0) {
            LOG.info("webhook deliveries released from expired claims count={}", counts[0]);
          }
          return repo.waitingSubscriptions(pool);
        })
        .onSuccess(subs -> {
          waiting.addAll(subs);
          pump();
        })
        .onFailure(e -> LOG.warn("webhook delivery sweep failed: {}", FailureLog.oneLine(e.toString())))
        .onComplete(ar -> sweeping = false);
  }

  /** One claim per waiting subscription with free slots; a wake-up during the claims asks for another round. */
  private void pump() {
    if (claiming) {
      again = true;
      return;
    }
    List<Future<?>> claims = new ArrayList<>();
    int free = settings.deliveryConcurrency() - total;
    for (UUID sub : List.copyOf(waiting)) {
      int n = Math.min(Math.min(settings.deliveryBatchSize(), settings.subscriptionConcurrency() - inFlight.getOrDefault(sub, 0)), free);
      if (n <= 0) {
        continue;
      }
      free -= n;
      claims.add(repo.claimForSubscription(pool, sub, n, settings.claimTtlSeconds()).onSuccess(claimed -> {
        if (claimed.size() < n) {
          waiting.remove(sub);
        }
        claimed.forEach(this::post);
      }).onFailure(e -> LOG.warn("webhook delivery claim failed subscription_id={}: {}", sub, FailureLog.oneLine(e.toString()))));
    }
    if (claims.isEmpty()) {
      return;
    }
    claiming = true;
    Future.join(claims).onComplete(ar -> {
      claiming = false;
      if (again) {
        again = false;
        pump();
      }
    });
  }

  private void post(DeliveryRepository.Claimed d) {
    inFlight.merge(d.subscriptionId(), 1, Integer::sum);
    total++;
    String url;
    String auth;
    byte[] key;
    try {
      url = cipher.decrypt(d.url());
      auth = d.authHeader() == null ? null : cipher.decrypt(d.authHeader());
      key = d.signingSecret() == null ? null : WebhookSignature.keyOf(cipher.decrypt(d.signingSecret()));
    } catch (WebhookCipher.Undecryptable e) {
      fail(d, "Failed to decrypt webhook values: " + e.getMessage(), null, false);
      return;
    }
    poster.post(url, WebhookPoster.headers(auth, WebhookSignature.now(key, d.eventId().toString(), d.payload())), d.payload(), d.timeoutSeconds())
        .onComplete(ar -> {
          WebhookPoster.Outcome outcome = ar.succeeded() ? ar.result()
              : new WebhookPoster.Outcome(0, null, WebhookPoster.reason(ar.cause(), d.timeoutSeconds()));
          if (outcome.delivered()) {
            successes.add(d.id());
            flush();
            done(d);
          } else {
            fail(d, outcome.errorText(ERROR_BODY_CHARS), outcome.status() > 0 ? outcome.status() : null, outcome.retryable());
          }
        });
  }

  private void fail(DeliveryRepository.Claimed d, String error, Integer status, boolean retryable) {
    pool.withTransaction(conn -> repo.markFailure(conn, d.id(), error, retryable, d.maxRetries()).compose(recorded -> {
          if (recorded == null || !recorded.dead()) {
            return Future.succeededFuture(recorded);
          }
          return DeliveryRepository.auditDeath(conn, d.id(), recorded, error, status, retryable, null).map(recorded);
        }))
        .onSuccess(recorded -> {
          if (recorded == null) {
            return;
          }
          if (recorded.dead()) {
            LOG.warn("webhook delivery dead delivery_id={} subscription_id={} event_type={} attempts={} error={}",
                d.id(), d.subscriptionId(), d.eventType(), recorded.attempts(), FailureLog.oneLine(error));
          } else {
            LOG.debug("webhook delivery failed delivery_id={} subscription_id={} attempts={} error={}",
                d.id(), d.subscriptionId(), recorded.attempts(), FailureLog.oneLine(error));
            wakeAt(recorded.nextRetryAt());
          }
        })
        .onFailure(e -> LOG.warn("webhook delivery result not recorded delivery_id={} (its claim will expire): {}",
            d.id(), FailureLog.oneLine(e.toString())))
        .onComplete(ar -> done(d));
  }

  private void done(DeliveryRepository.Claimed d) {
    UUID sub = d.subscriptionId();
    int left = inFlight.merge(sub, -1, Integer::sum);
    if (left <= 0) {
      inFlight.remove(sub);
    }
    total--;
    // refill in bulk: when half the subscription's slots (or half of all) are free again
    if (!waiting.isEmpty() && (left <= settings.subscriptionConcurrency() / 2 || total <= settings.deliveryConcurrency() / 2)) {
      pump();
    }
  }

  /** Records successes in batches: one statement for everything that succeeded since the last one. */
  private void flush() {
    if (flushing || successes.isEmpty()) {
      return;
    }
    flushing = true;
    List<UUID> batch = List.copyOf(successes);
    successes.clear();
    repo.markSuccess(pool, batch)
        .onFailure(e -> LOG.warn("webhook successes not recorded count={} (they will be posted again after their claims"
            + " expire): {}", batch.size(), FailureLog.oneLine(e.toString())))
        .onComplete(ar -> {
          flushing = false;
          flush();
        });
  }

  /** A sweep right after the earliest retry this worker scheduled falls due. */
  private void wakeAt(OffsetDateTime at) {
    if (at == null) {
      return;
    }
    long when = at.toInstant().toEpochMilli() + 20;
    if (when >= retryAt) {
      return;
    }
    vertx.cancelTimer(retryTimer);
    retryAt = when;
    retryTimer = vertx.setTimer(Math.max(1, when - System.currentTimeMillis()), id -> {
      retryAt = Long.MAX_VALUE;
      sweep();
    });
  }
}
