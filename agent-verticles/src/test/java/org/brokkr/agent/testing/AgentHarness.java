package org.brokkr.agent.testing;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.Agent;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.config.Settings;

/**
 * Runs real agents (fast timers, probe server on a free port) against a real API server for
 * end-to-end tests; stops whatever it started.
 */
public final class AgentHarness implements AutoCloseable {
  public final Vertx vertx = TestVertx.create();
  public final Fabric8ClusterOps ops;
  private Agent agent;

  public AgentHarness(KubeApiServer apiServer) {
    ops = Fabric8ClusterOps.fromConfig(vertx, apiServer.config(), Optional.empty(), new RetryPolicy(100, 2.0, 1_000, 5_000));
  }

  /** Starts an agent; a running one is stopped first. */
  public Agent start(int brokerPort, Fixtures.Agent identity, String name, Path stateDir, int maxRetries) throws Exception {
    return start(brokerPort, identity, name, stateDir, maxRetries, Map.of());
  }

  /** Starts an agent with some settings ({@code agent.generator_ids}, ...) beyond the test defaults. */
  public Agent start(int brokerPort, Fixtures.Agent identity, String name, Path stateDir, int maxRetries,
      Map<String, String> extra) throws Exception {
    stopAgent();
    agent = Agent.start(vertx, config(brokerPort, identity, name, stateDir, maxRetries, extra), ops).await(60, TimeUnit.SECONDS);
    return agent;
  }

  /** The configuration {@link #start} uses: fast timers, probe server on a free port of 127.0.0.1. */
  public static AgentConfig config(int brokerPort, Fixtures.Agent identity, String name, Path stateDir, int maxRetries,
      Map<String, String> extra) {
    Map<String, String> s = new HashMap<>(AgentConfig.DEFAULTS);
    s.put("agent.broker_url", "http://127.0.0.1:" + brokerPort);
    s.put("agent.pak", identity.pak());
    s.put("agent.agent_name", name);
    s.put("agent.cluster_name", "cluster-1");
    s.put("agent.polling_interval", "1");
    s.put("agent.max_backoff_seconds", "2");
    s.put("agent.health_port", "0");
    s.put("agent.health_host", "127.0.0.1");
    s.put("agent.max_retries", String.valueOf(maxRetries));
    s.put("agent.state_dir", stateDir.toString());
    s.putAll(extra);
    return AgentConfig.from(Settings.of(s));
  }

  public void stopAgent() throws Exception {
    if (agent != null) {
      agent.stop().await(30, TimeUnit.SECONDS);
      agent = null;
    }
  }

  @Override
  public void close() throws Exception {
    stopAgent();
    ops.close();
    vertx.close().await(30, TimeUnit.SECONDS);
  }
}
