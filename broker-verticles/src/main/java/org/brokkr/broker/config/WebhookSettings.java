package org.brokkr.broker.config;

import java.util.HexFormat;
import java.util.Optional;
import org.brokkr.codecs.config.Settings;

/**
 * Event dispatch and webhook delivery: the encryption key of stored URLs and secrets, the
 * delivery worker's pace, and how long finished deliveries are kept. Names as the reference's
 * where it has them ({@code broker.webhook_*}).
 *
 * @param encryptionKey 32-byte AES key ({@code broker.webhook_encryption_key}, 64 hex characters), or empty
 * @param deliveryIntervalSeconds the worker's sweep: expired claims, due retries, deliveries it did not hear of
 * @param deliveryBatchSize most deliveries one claim takes for one subscription
 * @param deliveryConcurrency most posts in flight per broker
 * @param subscriptionConcurrency most posts in flight per broker to one subscription (a slow one holds no more)
 * @param claimTtlSeconds least time a claim is held; a claim always outlives the subscription's timeout by 30 s
 * @param dispatchIntervalSeconds slow poll of the outbox (notifications normally wake the dispatcher at once)
 * @param dispatchBatchSize outbox rows turned into deliveries per transaction
 * @param cleanupIntervalSeconds how often finished deliveries are swept
 * @param cleanupRetentionDays age after which successful and dead deliveries are deleted
 */
public record WebhookSettings(
    Optional<byte[]> encryptionKey,
    int deliveryIntervalSeconds,
    int deliveryBatchSize,
    int deliveryConcurrency,
    int subscriptionConcurrency,
    int claimTtlSeconds,
    int dispatchIntervalSeconds,
    int dispatchBatchSize,
    int cleanupIntervalSeconds,
    int cleanupRetentionDays) {

  public static final String KEY_SETTING = "broker.webhook_encryption_key";

  public static WebhookSettings from(Settings s) {
    return new WebhookSettings(
        key(s),
        s.integer("broker.webhook_delivery_interval_seconds", 5, 1, 3600),
        s.integer("broker.webhook_delivery_batch_size", 50, 1, 1000),
        s.integer("broker.webhook_delivery_concurrency", 200, 1, 10_000),
        s.integer("broker.webhook_delivery_subscription_concurrency", 20, 1, 1000),
        s.integer("broker.webhook_claim_ttl_seconds", 60, 5, 3600),
        s.integer("broker.event_dispatch_interval_seconds", 2, 1, 3600),
        s.integer("broker.event_dispatch_batch_size", 200, 1, 10_000),
        s.integer("broker.webhook_cleanup_interval_seconds", 3600, 1, 86_400 * 7),
        s.integer("broker.webhook_cleanup_retention_days", 7, 0, 3650));
  }

  /** These settings with the delivery worker's pace changed (a reload). */
  public WebhookSettings withDelivery(int intervalSeconds, int batchSize) {
    return new WebhookSettings(encryptionKey, intervalSeconds, batchSize, deliveryConcurrency, subscriptionConcurrency,
        claimTtlSeconds, dispatchIntervalSeconds, dispatchBatchSize, cleanupIntervalSeconds, cleanupRetentionDays);
  }

  /** Unset or empty: no key (webhooks cannot be created); anything else must be 64 hex characters. */
  private static Optional<byte[]> key(Settings s) {
    Optional<String> raw = s.nonBlank(KEY_SETTING).map(String::trim);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    String hex = raw.get();
    if (hex.length() != 64) {
      throw s.invalid(KEY_SETTING, "<redacted>", "must be 64 hexadecimal characters (32 bytes), got " + hex.length() + " characters");
    }
    try {
      return Optional.of(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw s.invalid(KEY_SETTING, "<redacted>", "must be 64 hexadecimal characters (32 bytes)");
    }
  }
}
