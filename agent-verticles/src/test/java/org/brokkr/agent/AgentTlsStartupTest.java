package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.live.LiveState;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent starting against a broker that serves HTTPS: with {@code agent.tls_ca_file} naming the
 * authority it starts; without it, startup ends with the reason the certificate was refused; a
 * bundle it cannot read stops startup with the setting and the file.
 */
@ExtendWith(KubeApiServer.Extension.class)
class AgentTlsStartupTest {
  @TempDir
  static Path pki;
  static TestBroker broker;
  static Path caFile;

  @TempDir
  Path stateDir;
  private AgentHarness agents;
  private Fixtures.Agent identity;
  private String name;

  @BeforeAll
  static void startBroker() {
    TestPki.Authority authority = TestPki.authority("Brokkr Agent Startup CA");
    TestPki.Issued serving = authority.issue("broker", "127.0.0.1");
    caFile = authority.writeTo(pki.resolve("ca.pem"));
    broker = TestBroker.startHttps(Map.of(
            "broker.tls_cert_file", TestPki.write(pki.resolve("tls.crt"), serving.certificatePem()).toString(),
            "broker.tls_key_file", TestPki.write(pki.resolve("tls.key"), serving.pkcs1KeyPem()).toString()),
        new PemTrustOptions().addCertValue(Buffer.buffer(authority.certificatePem())));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void start(KubeApiServer apiServer) {
    name = "tls-agent-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1"))
        .bodyAsJsonObject();
    identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    agents = new AgentHarness(apiServer);
  }

  @AfterEach
  void tearDown() throws Exception {
    agents.close();
  }

  private Map<String, String> https(String... more) {
    Map<String, String> s = new java.util.HashMap<>(Map.of("agent.broker_url", "https://127.0.0.1:" + broker.broker.port()));
    for (int i = 0; i < more.length; i += 2) {
      s.put(more[i], more[i + 1]);
    }
    return s;
  }

  @Test
  void withTheCaBundleTheAgentStartsOverHttps() throws Exception {
    Agent agent = agents.start(0, identity, name, stateDir, 5, https("agent.tls_ca_file", caFile.toString()));
    assertEquals(identity.id(), agent.runtime().agentId().toString());
    // the live socket (wss, derived from the URL) trusts the same bundle
    Eventually.holds(Duration.ofSeconds(60), "live socket up over wss", () -> agent.runtime().liveState() == LiveState.UP);
  }

  @Test
  void theLiveSocketChecksTheHostNameToo() throws Exception {
    // the certificate names 127.0.0.1 only; REST goes there, the socket to "localhost"
    Agent agent = agents.start(0, identity, name, stateDir, 5, https("agent.tls_ca_file", caFile.toString(),
        "agent.ws_url", "wss://localhost:" + broker.broker.port() + "/internal/ws/agent"));
    // three heartbeats by REST: by then the socket was dialed (at least) twice
    Eventually.holds(Duration.ofSeconds(60), "REST heartbeats", () -> agent.metrics().render().lines()
        .anyMatch(l -> l.startsWith("brokkr_agent_heartbeat_sent_total ") && Long.parseLong(l.substring(34)) >= 3));
    assertEquals(LiveState.DOWN, agent.runtime().liveState());
    assertEquals(0, broker.admin().get("/admin/ws/connections").bodyAsJsonObject().getJsonArray("connections").stream()
        .filter(c -> identity.id().equals(((JsonObject) c).getString("agent_id"))).count());
  }

  @Test
  void withoutItStartupSaysWhyTheBrokerWasNotReached() {
    AgentConfig config = AgentHarness.config(0, identity, name, stateDir, 1, https());
    Exception e = assertThrows(Exception.class, () -> Agent.start(agents.vertx, config, agents.ops).await(120, TimeUnit.SECONDS));
    assertTrue(e.getMessage().startsWith("broker at https://127.0.0.1:" + broker.broker.port() + " is not ready: "), e.getMessage());
    assertTrue(e.getMessage().contains("certification path") || e.getMessage().contains("SSL"), e.getMessage());
  }

  @Test
  void aBundleItCannotReadStopsStartupNamingTheFile() {
    Path missing = stateDir.resolve("no-ca.pem");
    AgentConfig config = AgentHarness.config(0, identity, name, stateDir, 1, https("agent.tls_ca_file", missing.toString()));
    Exception e = assertThrows(Exception.class, () -> Agent.start(agents.vertx, config, agents.ops).await(120, TimeUnit.SECONDS));
    assertEquals("agent.tls_ca_file " + missing + ": cannot read: no such file", e.getMessage());
  }
}
