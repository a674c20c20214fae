package org.brokkr.agent;

import io.vertx.core.Future;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.live.Uplink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat timer: measure the Kubernetes API, report it with the heartbeat, then re-read our
 * own record (that is how a status change to ACTIVE or INACTIVE reaches the agent).
 */
public final class HeartbeatVerticle extends PassTimer {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final BrokerClient broker;
  private final ClusterOps cluster;

  public HeartbeatVerticle(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, BrokerClient broker, ClusterOps cluster) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.broker = broker;
    this.cluster = cluster;
  }

  @Override
  protected long intervalMillis() {
    return config.pollingIntervalSeconds() * 1000L;
  }

  @Override
  protected Future<Void> pass() {
    return cluster.probe()
        .map(ms -> {
          runtime.k8s(true, null);
          return ms;
        })
        .otherwise(err -> {
          runtime.k8s(false, err.getMessage());
          return null;
        })
        // over the live socket when it takes the frame, else by REST
        .compose(latency -> Uplink.send(vertx, () -> Uplink.heartbeat(runtime.agentId(), latency))
            .recover(notSent -> broker.heartbeat(runtime.agentId(), latency != null, latency)))
        .compose(v -> {
          runtime.heartbeatSent();
          metrics.heartbeatSent();
          return broker.getAgent(runtime.agentId());
        })
        .map(self -> {
          String status = self.getString("status", "INACTIVE");
          if (!status.equals(runtime.status())) {
            LOG.info("agent status is now {}", status);
          }
          runtime.status(status);
          runtime.brokerUp();
          return (Void) null;
        })
        .recover(err -> {
          runtime.brokerDown(err.getMessage());
          metrics.brokerReachable(false);
          return Future.succeededFuture();
        });
  }
}
