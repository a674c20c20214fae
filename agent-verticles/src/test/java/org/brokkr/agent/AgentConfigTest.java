package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.codecs.config.ConfigException;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  private static final String PAK = "brokkr_BRabcdef_4Fz9sdfkjsdfkjsdfkjsdfkjsdfkjsdfkj";

  @Test
  void aMissingPakStopsStartupWithAClearMessage() {
    ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.fromEnvironment(Map.of(), List.of()));
    assertTrue(e.getMessage().contains("BROKKR__AGENT__PAK"), e.getMessage());
  }

  @Test
  void defaultsMatchTheReference() {
    AgentConfig c = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK), List.of());
    assertEquals("http://localhost:3000", c.brokerUrl());
    assertEquals("DEFAULT", c.agentName());
    assertEquals("DEFAULT", c.clusterName());
    assertEquals(10, c.pollingIntervalSeconds());
    assertEquals(60, c.maxRetries());
    assertEquals(8080, c.healthPort());
    assertTrue(c.watchNamespace().isEmpty());
  }

  @Test
  void generatorIdsFlagWinsOverEnvironmentWhichWinsOverLegacy() {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    Map<String, String> env = Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__GENERATOR_IDS", b.toString(),
        "BROKKR_GENERATOR_IDS", c.toString());
    assertEquals(List.of(a), AgentConfig.fromEnvironment(env, List.of("--generator-ids", a.toString())).generatorIds());
    assertEquals(List.of(b), AgentConfig.fromEnvironment(env, List.of()).generatorIds());
    assertEquals(List.of(c), AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR_GENERATOR_IDS", c.toString()),
        List.of()).generatorIds());
  }

  @Test
  void invalidValuesNameTheirKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.fromEnvironment(
        Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__POLLING_INTERVAL", "soon"), List.of()));
    assertTrue(e.getMessage().contains("BROKKR__AGENT__POLLING_INTERVAL"), e.getMessage());
    ConfigException url = assertThrows(ConfigException.class, () -> AgentConfig.fromEnvironment(
        Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__BROKER_URL", "ftp://x"), List.of()));
    assertTrue(url.getMessage().contains("BROKKR__AGENT__BROKER_URL"), url.getMessage());
  }

  @Test
  void agentSideWebhooksAreOnEveryTenSecondsUnlessSaidOtherwise() {
    AgentConfig c = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK), List.of());
    assertTrue(c.webhooksEnabled());
    assertEquals(10, c.webhooksIntervalSeconds());
    AgentConfig off = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__WEBHOOKS_ENABLED", "false",
        "BROKKR__AGENT__WEBHOOKS_INTERVAL", "3"), List.of());
    assertEquals(false, off.webhooksEnabled());
    assertEquals(3, off.webhooksIntervalSeconds());
    ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.fromEnvironment(
        Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__WEBHOOKS_INTERVAL", "0"), List.of()));
    assertTrue(e.getMessage().contains("BROKKR__AGENT__WEBHOOKS_INTERVAL"), e.getMessage());
  }

  @Test
  void anHttpsBrokerUrlAndACaBundle() {
    AgentConfig plain = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK), List.of());
    assertTrue(plain.tlsCaFile().isEmpty(), "the JVM's default authorities unless a bundle is named");
    AgentConfig c = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK,
        "BROKKR__AGENT__BROKER_URL", "https://broker.example:3443/", "BROKKR__AGENT__TLS_CA_FILE", " /etc/brokkr/ca.pem "), List.of());
    assertEquals("https://broker.example:3443", c.brokerUrl());
    assertEquals(java.util.Optional.of("/etc/brokkr/ca.pem"), c.tlsCaFile());
  }

  // work orders
  @Test
  void workOrderStatusChecksDefaultToTheReferencesFiveSeconds() {
    assertEquals(5, AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK), List.of()).workOrderStatusIntervalSeconds());
    assertEquals(2, AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__WORK_ORDER_STATUS_INTERVAL", "2"),
        List.of()).workOrderStatusIntervalSeconds());
  }

  @Test
  void healthAndDiagnosticsDefaultsMatchTheReference() {
    AgentConfig c = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK), List.of());
    assertTrue(c.deploymentHealthEnabled());
    assertEquals(60, c.deploymentHealthIntervalSeconds());
    assertEquals(10, c.diagnosticsIntervalSeconds());
    assertEquals(10, c.deploymentHealthRefreshEvery());
    AgentConfig off = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK,
        "BROKKR__AGENT__DEPLOYMENT_HEALTH_ENABLED", "false", "BROKKR__AGENT__DEPLOYMENT_HEALTH_REFRESH_EVERY", "3"), List.of());
    assertEquals(false, off.deploymentHealthEnabled());
    assertEquals(3, off.deploymentHealthRefreshEvery());
  }

  @Test
  void applyConcurrencyIsSixteenUnlessSetBetweenOneAnd256() {
    assertEquals(16, AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK), List.of()).applyConcurrency());
    assertEquals(1, AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__APPLY_CONCURRENCY", "1"),
        List.of()).applyConcurrency());
    assertEquals(256, AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__APPLY_CONCURRENCY", "256"),
        List.of()).applyConcurrency());
    for (String bad : List.of("0", "257", "many")) {
      ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.fromEnvironment(
          Map.of("BROKKR__AGENT__PAK", PAK, "BROKKR__AGENT__APPLY_CONCURRENCY", bad), List.of()));
      assertTrue(e.getMessage().contains("BROKKR__AGENT__APPLY_CONCURRENCY"), e.getMessage());
    }
  }

  @Test
  void theLiveSocketUrlIsDerivedFromTheBrokerUrlUnlessSet() {
    AgentConfig plain = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK,
        "BROKKR__AGENT__BROKER_URL", "http://broker:3000/"), List.of());
    assertEquals("ws://broker:3000/internal/ws/agent", plain.wsUrl());
    assertEquals(false, plain.wsForceRest());
    assertEquals(10_000, plain.kubeEventUidCacheCap());
    AgentConfig tls = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK,
        "BROKKR__AGENT__BROKER_URL", "https://broker.example"), List.of());
    assertEquals("wss://broker.example/internal/ws/agent", tls.wsUrl());
    AgentConfig set = AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK,
        "BROKKR__AGENT__WS_URL", "wss://edge/ws", "BROKKR__AGENT__WS_FORCE_REST", "true"), List.of());
    assertEquals("wss://edge/ws", set.wsUrl());
    assertEquals(true, set.wsForceRest());
    ConfigException bad = assertThrows(ConfigException.class, () -> AgentConfig.fromEnvironment(Map.of("BROKKR__AGENT__PAK", PAK,
        "BROKKR__AGENT__WS_URL", "http://edge/ws"), List.of()));
    assertTrue(bad.getMessage().contains("agent.ws_url"), bad.getMessage());
  }
}
