package org.brokkr.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.agent.broker.BrokerCallException;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.ClusterCallException;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.diagnostics.DiagnosticsVerticle;
import org.brokkr.agent.health.HealthVerticle;
import org.brokkr.agent.http.AgentHttpVerticle;
import org.brokkr.agent.live.BrokerSocketVerticle;
import org.brokkr.agent.state.StateStore;
import org.brokkr.agent.telemetry.KubeEventShipper;
import org.brokkr.agent.telemetry.PodLogShipper;
import org.brokkr.agent.webhooks.WebhookDeliveryVerticle;
import org.brokkr.agent.workorders.WorkOrderVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent on a {@link Vertx}, started in the reference order: wait for the broker, verify the
 * PAK, find our own record, self-register with generators, check the Kubernetes API, load the
 * saved state, start the HTTP server, then the heartbeat, deployment, work-order, health,
 * diagnostics and webhook timers.
 */
public final class Agent {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final Vertx vertx;
  private final AgentConfig config;
  private final ClusterOps cluster;
  private final BrokerClient broker;
  private final Optional<Buffer> caBundle;
  private final AgentRuntime runtime = new AgentRuntime();
  private final AgentMetrics metrics = new AgentMetrics();
  private final List<String> deployments = new ArrayList<>();
  private AgentHttpVerticle http;
  private StateStore state;

  private Agent(Vertx vertx, AgentConfig config, ClusterOps cluster, Optional<Buffer> caBundle) {
    this.vertx = vertx;
    this.config = config;
    this.cluster = cluster;
    this.broker = new BrokerClient(vertx, config.brokerUrl(), config.pak(), caBundle);
    this.caBundle = caBundle;
  }

  public static Future<Agent> start(Vertx vertx, AgentConfig config, ClusterOps cluster) {
    if (config.tlsCaFile().isPresent() && !config.brokerUrl().startsWith("https://")) {
      LOG.warn("agent.tls_ca_file is set but agent.broker_url is not https; the bundle is not used");
    }
    return BrokerClient.caBundle(vertx, config.tlsCaFile())
        .compose(caBundle -> {
          Agent agent = new Agent(vertx, config, cluster, caBundle);
          return agent.boot().map(agent);
        });
  }

  private Future<Void> boot() {
    return StateStore.open(vertx, config.stateDir())
        .compose(store -> {
          state = store;
          return waitForBroker(config.maxRetries())
              .compose(v -> online())
              .recover(err -> {
                if (state.agentId() == null || err instanceof FatalStartupError) {
                  return Future.failedFuture(err);
                }
                // Restarted during a broker outage: keep the cluster as it is, from the saved state,
                // and catch up when the broker answers again.
                runtime.agentId(UUID.fromString(state.agentId()));
                runtime.status(state.agentStatus() == null ? "INACTIVE" : state.agentStatus());
                runtime.brokerDown(err.getMessage());
                LOG.warn("broker unavailable at startup ({}); running from saved state of agent {}", err.getMessage(), state.agentId());
                return Future.succeededFuture();
              });
        })
        .compose(v -> cluster.probe().recover(err -> Future.failedFuture(new IllegalStateException(probeFailure(err), err))))
        .compose(latency -> {
          LOG.info("Kubernetes API reachable latency_ms={}", latency);
          state.bindTo(runtime.agentId().toString());
          http = new AgentHttpVerticle(config, runtime, metrics, cluster);
          return vertx.deployVerticle(http);
        })
        .compose(id -> {
          deployments.add(id);
          // before the timers, so that their first frames can already take the socket once it is up
          return vertx.deployVerticle(new BrokerSocketVerticle(config, runtime, metrics, caBundle));
        })
        .compose(id -> {
          deployments.add(id);
          return vertx.deployVerticle(new HeartbeatVerticle(config, runtime, metrics, broker, cluster));
        })
        .compose(id -> {
          deployments.add(id);
          return vertx.deployVerticle(new DeployVerticle(config, runtime, metrics, broker, cluster, state));
        })
        // work orders
        .compose(id -> {
          deployments.add(id);
          return vertx.deployVerticle(new WorkOrderVerticle(config, runtime, metrics, broker, cluster, RetryPolicy.DEFAULT));
        })
        .compose(id -> {
          deployments.add(id);
          return startHealthAndDiagnostics();
        })
        .compose(v -> startWebhooks())
        .compose(v -> startTelemetry())
        .map(v -> {
          LOG.info("agent running health_port={} polling_interval={}s", http.actualPort(), config.pollingIntervalSeconds());
          return null;
        });
  }

  // --- health and diagnostics: after the deployment loop; like it, both pass while the agent is not ACTIVE ---

  private Future<Void> startHealthAndDiagnostics() {
    Future<String> health;
    if (config.deploymentHealthEnabled()) {
      health = vertx.deployVerticle(new HealthVerticle(config, runtime, broker, cluster, state));
    } else {
      LOG.info("deployment health reporting disabled (deployment_health_enabled=false)");
      health = Future.succeededFuture(null);
    }
    return health
        .compose(id -> {
          if (id != null) {
            deployments.add(id);
          }
          return vertx.deployVerticle(new DiagnosticsVerticle(config, runtime, broker, cluster, state));
        })
        .map(id -> {
          deployments.add(id);
          return null;
        });
  }

  // --- end of health and diagnostics ---

  private Future<Void> startWebhooks() {
    if (!config.webhooksEnabled()) {
      LOG.info("agent-side webhook delivery disabled (webhooks_enabled=false)");
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new WebhookDeliveryVerticle(config, runtime, metrics, broker)).map(id -> {
      deployments.add(id);
      return null;
    });
  }

  /** Kubernetes events and opted-in pod logs go over the live socket only: with ws_force_rest there is nothing to ship. */
  private Future<Void> startTelemetry() {
    if (config.wsForceRest()) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new KubeEventShipper(config, runtime, metrics, cluster))
        .compose(id -> {
          deployments.add(id);
          return vertx.deployVerticle(new PodLogShipper(runtime, metrics, cluster));
        })
        .map(id -> {
          deployments.add(id);
          return null;
        });
  }

  /** One line: the address tried, where it came from and the root cause (from the cluster adapter), then what to do. */
  private static String probeFailure(Throwable err) {
    if (err instanceof ClusterCallException c) {
      return c.hint() == null ? c.getMessage() : c.getMessage() + "; " + c.hint();
    }
    return "Kubernetes API unreachable: " + err.getMessage();
  }

  /** The reference's startup with the broker: verify the PAK, find our record, self-register. */
  private Future<Void> online() {
    return broker.verifyPak().recover(err -> Future.failedFuture(
            err instanceof BrokerCallException e && e.status() == 401
                ? new FatalStartupError("Invalid agent PAK: the broker refused it") : err))
        .compose(identity -> {
          if (identity.getString("agent") == null) {
            return Future.failedFuture(new FatalStartupError("the configured PAK is not an agent PAK"));
          }
          return broker.findSelf(config.agentName(), config.clusterName()).recover(err -> Future.failedFuture(
              err instanceof BrokerCallException e && e.status() == 404
                  ? new FatalStartupError("Agent not found: no agent named " + config.agentName()
                      + " in cluster " + config.clusterName()) : err));
        })
        .compose(self -> {
          runtime.agentId(UUID.fromString(self.getString("id")));
          runtime.status(self.getString("status", "INACTIVE"));
          LOG.info("agent {} ({}/{}) status={}", runtime.agentId(), config.agentName(), config.clusterName(), runtime.status());
          return registerWithGenerators();
        });
  }

  /** A startup failure that saved state must not paper over (wrong credential, unknown agent). */
  static final class FatalStartupError extends IllegalStateException {
    FatalStartupError(String message) {
      super(message);
    }
  }

  private Future<Void> waitForBroker(int attempts) {
    Promise<Void> promise = Promise.promise();
    tryBroker(attempts, promise);
    return promise.future();
  }

  private void tryBroker(int left, Promise<Void> promise) {
    broker.ready().onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        promise.complete();
      } else if (left <= 1) {
        // the last reason says whether it answered at all (refused connection, untrusted certificate, ...)
        promise.fail(new IllegalStateException("broker at " + config.brokerUrl() + " is not ready"
            + (ar.failed() ? ": " + ar.cause().getMessage() : "")));
      } else {
        vertx.setTimer(1000, id -> tryBroker(left - 1, promise));
      }
    });
  }

  private Future<Void> registerWithGenerators() {
    Future<Void> chain = Future.succeededFuture();
    for (UUID generator : config.generatorIds()) {
      chain = chain.compose(v -> broker.register(generator).otherwise(err -> {
        // e.g. 404 for an unknown generator, 403 when the broker closed self-registration
        LOG.warn("could not register with generator {} ({}); starting without it", generator, err.getMessage());
        return null;
      }));
    }
    return chain;
  }

  public AgentRuntime runtime() {
    return runtime;
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  public int healthPort() {
    return http.actualPort();
  }

  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).otherwise((Void) null));
    }
    return chain.onComplete(ar -> broker.close());
  }
}
