package org.brokkr.broker.config;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.config.Settings;

/**
 * The settings a running broker changes without a restart: the reference's eight reloadable keys.
 * Everything else in the sources is read at startup only; a reload names such keys when they
 * changed, so nobody waits for a change that cannot happen.
 */
public record ReloadableSettings(
    String logLevel,
    int diagnosticCleanupIntervalSeconds,
    int diagnosticMaxAgeHours,
    int webhookDeliveryIntervalSeconds,
    int webhookDeliveryBatchSize,
    int webhookCleanupRetentionDays,
    List<String> corsAllowedOrigins,
    int corsMaxAgeSeconds) {

  /** The keys, in the order changes are reported. */
  public static final List<String> KEYS = List.of(
      "log.level",
      "broker.diagnostic_cleanup_interval_seconds",
      "broker.diagnostic_max_age_hours",
      "broker.webhook_delivery_interval_seconds",
      "broker.webhook_delivery_batch_size",
      "broker.webhook_cleanup_retention_days",
      "cors.allowed_origins",
      "cors.max_age_seconds");

  public static ReloadableSettings of(BrokerConfig c) {
    return new ReloadableSettings(c.logLevel(), c.diagnosticCleanupIntervalSeconds(), c.diagnosticMaxAgeHours(),
        c.webhooks().deliveryIntervalSeconds(), c.webhooks().deliveryBatchSize(), c.webhooks().cleanupRetentionDays(),
        c.cors().allowedOrigins(), c.cors().maxAgeSeconds());
  }

  /** One changed key, values as the reference prints them. */
  public record Change(String key, String oldValue, String newValue) {
    public JsonObject toJson() {
      return new JsonObject().put("key", key).put("old_value", oldValue).put("new_value", newValue);
    }
  }

  public List<Change> changesTo(ReloadableSettings next) {
    Map<String, String> before = printed();
    Map<String, String> after = next.printed();
    List<Change> out = new ArrayList<>();
    for (String key : KEYS) {
      if (!before.get(key).equals(after.get(key))) {
        out.add(new Change(key, before.get(key), after.get(key)));
      }
    }
    return out;
  }

  /**
   * Keys other than these eight whose value differs between two loads of the sources: they take
   * effect at the next start. Names only, because values may be secrets.
   */
  public static List<String> restartRequired(Settings before, Settings after) {
    Set<String> keys = new TreeSet<>(before.values().keySet());
    keys.addAll(after.values().keySet());
    List<String> out = new ArrayList<>();
    for (String key : keys) {
      if (KEYS.contains(key)) {
        continue;
      }
      if (!java.util.Objects.equals(before.values().get(key), after.values().get(key))) {
        out.add(key);
      }
    }
    return out;
  }

  private Map<String, String> printed() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(KEYS.get(0), logLevel);
    m.put(KEYS.get(1), Integer.toString(diagnosticCleanupIntervalSeconds));
    m.put(KEYS.get(2), Integer.toString(diagnosticMaxAgeHours));
    m.put(KEYS.get(3), Integer.toString(webhookDeliveryIntervalSeconds));
    m.put(KEYS.get(4), Integer.toString(webhookDeliveryBatchSize));
    m.put(KEYS.get(5), Integer.toString(webhookCleanupRetentionDays));
    m.put(KEYS.get(6), listForm(corsAllowedOrigins));
    m.put(KEYS.get(7), Integer.toString(corsMaxAgeSeconds));
    return m;
  }

  /** The reference's form of a list: {@code ["http://a", "http://b"]}. */
  static String listForm(List<String> items) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      out.append('"').append(items.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return out.append(']').toString();
  }

  /** The event-bus form, published to every verticle that applies a reloadable setting. */
  public JsonObject toJson() {
    return new JsonObject().put("log_level", logLevel)
        .put("diagnostic_cleanup_interval_seconds", diagnosticCleanupIntervalSeconds)
        .put("diagnostic_max_age_hours", diagnosticMaxAgeHours)
        .put("webhook_delivery_interval_seconds", webhookDeliveryIntervalSeconds)
        .put("webhook_delivery_batch_size", webhookDeliveryBatchSize)
        .put("webhook_cleanup_retention_days", webhookCleanupRetentionDays)
        .put("cors_allowed_origins", new JsonArray(corsAllowedOrigins))
        .put("cors_max_age_seconds", corsMaxAgeSeconds);
  }

  /**
   * Calls {@code apply} on the verticle's own context whenever a reload on this broker changed a
   * runtime setting (the verticle picks out what concerns it).
   */
  public static MessageConsumer<JsonObject> subscribe(Vertx vertx, Consumer<ReloadableSettings> apply) {
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.CONFIG_CHANGED, m -> apply.accept(fromJson(m.body())));
  }

  public static ReloadableSettings fromJson(JsonObject j) {
    List<String> origins = new ArrayList<>();
    j.getJsonArray("cors_allowed_origins").forEach(o -> origins.add(String.valueOf(o)));
    return new ReloadableSettings(j.getString("log_level"), j.getInteger("diagnostic_cleanup_interval_seconds"),
        j.getInteger("diagnostic_max_age_hours"), j.getInteger("webhook_delivery_interval_seconds"),
        j.getInteger("webhook_delivery_batch_size"), j.getInteger("webhook_cleanup_retention_days"),
        List.copyOf(origins), j.getInteger("cors_max_age_seconds"));
  }
}
