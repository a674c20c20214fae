package org.brokkr.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.brokkr.codecs.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The webhook and retention settings: the reference's names and defaults, a checked key never echoed. */
class WebhookSettingsTest {
  private static final String KEY = "ab".repeat(32);

  @Test
  void defaultsAreTheReferences() {
    BrokerConfig c = BrokerConfig.fromEnvironment(Map.of());
    assertTrue(c.webhooks().encryptionKey().isEmpty(), "no key unless configured");
    assertEquals(5, c.webhooks().deliveryIntervalSeconds());
    assertEquals(50, c.webhooks().deliveryBatchSize());
    assertEquals(60, c.webhooks().claimTtlSeconds());
    assertEquals(7, c.webhooks().cleanupRetentionDays());
    assertEquals(3600, c.webhooks().cleanupIntervalSeconds());
    assertEquals(90, c.retention().auditLogRetentionDays());
    assertEquals(86_400, c.retention().auditCleanupIntervalSeconds());
    assertEquals(30, c.retention().agentEventsRetentionDays());
    assertEquals(24, c.retention().outboxRetentionHours());
  }

  @Test
  void theKeyIs64HexCharacters() {
    BrokerConfig c = BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY", KEY,
        "BROKKR__BROKER__WEBHOOK_DELIVERY_BATCH_SIZE", "10", "BROKKR__BROKER__WEBHOOK_DELIVERY_INTERVAL_SECONDS", "2"));
    assertEquals(32, c.webhooks().encryptionKey().orElseThrow().length);
    assertEquals(10, c.webhooks().deliveryBatchSize());
    assertEquals(2, c.webhooks().deliveryIntervalSeconds());
    assertTrue(BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY", "")).webhooks().encryptionKey().isEmpty());
    for (String bad : new String[] {"ab".repeat(31), "zz".repeat(32), KEY + "00"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY", bad)));
      assertTrue(e.getMessage().contains("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY"), e.getMessage());
      assertFalse(e.getMessage().contains(bad.substring(0, 20)), "the key is never echoed: " + e.getMessage());
    }
  }
}
