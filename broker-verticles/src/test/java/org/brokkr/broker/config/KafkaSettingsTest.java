package org.brokkr.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code kafka.*}: off unless servers are named; every value checked at startup with the variable's name. */
class KafkaSettingsTest {
  @Test
  void offByDefault() {
    KafkaSettings k = BrokerConfig.fromEnvironment(Map.of()).kafka();
    assertFalse(k.enabled());
    assertEquals(Optional.empty(), k.bootstrapServers());
    assertEquals("brokkr.events", k.topic());
    assertEquals("brokkr-broker", k.clientId());
    assertEquals("/brokkr/broker", k.source());
    assertEquals(30_000, k.sendTimeoutMillis());
    assertEquals(30_000, k.retryBackoffMaxMillis());
    assertFalse(BrokerConfig.fromEnvironment(Map.of("BROKKR__KAFKA__BOOTSTRAP_SERVERS", " ")).kafka().enabled(), "blank is off");
  }

  @Test
  void namedServersTurnItOn() {
    KafkaSettings k = BrokerConfig.fromEnvironment(Map.of(
        "BROKKR__KAFKA__BOOTSTRAP_SERVERS", "kafka-0.kafka:9092, 10.0.0.7:9093,[::1]:9094",
        "BROKKR__KAFKA__TOPIC", "fleet.events-v1",
        "BROKKR__KAFKA__CLIENT_ID", "broker-a",
        "BROKKR__KAFKA__SOURCE", "https://brokkr.example/broker",
        "BROKKR__KAFKA__SEND_TIMEOUT_MS", "5000",
        "BROKKR__KAFKA__RETRY_BACKOFF_MAX_MS", "2000")).kafka();
    assertTrue(k.enabled());
    assertEquals("kafka-0.kafka:9092,10.0.0.7:9093,[::1]:9094", k.bootstrapServers().orElseThrow());
    assertEquals("fleet.events-v1", k.topic());
    assertEquals("broker-a", k.clientId());
    assertEquals("https://brokkr.example/broker", k.source());
    assertEquals(5000, k.sendTimeoutMillis());
    assertEquals(2000, k.retryBackoffMaxMillis());
  }

  @Test
  void badValuesFailWithTheVariablesName() {
    List<List<String>> bad = List.of(
        List.of("BROKKR__KAFKA__BOOTSTRAP_SERVERS", "kafka:9092,"),
        List.of("BROKKR__KAFKA__BOOTSTRAP_SERVERS", "kafka"),
        List.of("BROKKR__KAFKA__BOOTSTRAP_SERVERS", "kafka:0"),
        List.of("BROKKR__KAFKA__BOOTSTRAP_SERVERS", "kafka:70000"),
        List.of("BROKKR__KAFKA__BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:9092"),
        List.of("BROKKR__KAFKA__TOPIC", "has space"),
        List.of("BROKKR__KAFKA__TOPIC", ".."),
        List.of("BROKKR__KAFKA__TOPIC", "x".repeat(250)),
        List.of("BROKKR__KAFKA__CLIENT_ID", "a/b"),
        List.of("BROKKR__KAFKA__SOURCE", "not a uri"),
        List.of("BROKKR__KAFKA__SEND_TIMEOUT_MS", "10"),
        List.of("BROKKR__KAFKA__RETRY_BACKOFF_MAX_MS", "soon"));
    for (List<String> pair : bad) {
      String name = pair.get(0);
      String value = pair.get(1);
      ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.fromEnvironment(Map.of(name, value)),
          name + "=" + value);
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }
}
