package org.brokkr.agent.diagnostics;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.PassTimer;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.broker.BrokerCallException;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.reconcile.ManifestException;
import org.brokkr.agent.reconcile.Manifests;
import org.brokkr.agent.state.OwnedDeploymentObject;
import org.brokkr.agent.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The diagnostics timer: every {@code diagnostics_interval} (10 s), each pending diagnostic
 * request is claimed (one another agent process won is skipped), its deployment object is looked
 * up to learn what it declares, the evidence is collected and submitted. A collection that fails
 * is submitted as a failed result carrying the error. A result the broker could not take yet is
 * sent again on the next passes until its request expires. Nothing happens while the agent is
 * not ACTIVE.
 */
public final class DiagnosticsVerticle extends PassTimer {
  private static final Logger LOG = LoggerFactory.getLogger(DiagnosticsVerticle.class);

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final BrokerClient broker;
  private final ClusterOps cluster;
  private final StateStore state;
  private final Map<UUID, Unsent> unsent = new LinkedHashMap<>();
  private DiagnosticsCollector collector;
  private boolean brokerFailing;

  private record Unsent(JsonObject body, Instant expiresAt) {}

  public DiagnosticsVerticle(AgentConfig config, AgentRuntime runtime, BrokerClient broker, ClusterOps cluster, StateStore state) {
    this.config = config;
    this.runtime = runtime;
    this.broker = broker;
    this.cluster = cluster;
    this.state = state;
  }

  @Override
  protected void prepare() {
    collector = new DiagnosticsCollector(cluster, runtime.agentId().toString(), config.watchNamespace());
  }

  @Override
  protected long intervalMillis() {
    return config.diagnosticsIntervalSeconds() * 1000L;
  }

  @Override
  protected Future<Void> pass() {
    if (!runtime.active()) {
      return Future.succeededFuture();
    }
    return resend()
        .compose(v -> broker.pendingDiagnostics(runtime.agentId()))
        .compose(pending -> {
          if (brokerFailing) {
            brokerFailing = false;
            LOG.info("diagnostic requests can be read again");
          }
          Future<Void> chain = Future.succeededFuture();
          for (Object o : pending) {
            if (o instanceof JsonObject request) {
              chain = chain.compose(v -> handle(request));
            }
          }
          return chain;
        })
        .recover(err -> {
          if (!brokerFailing) {
            brokerFailing = true;
            LOG.warn("cannot read pending diagnostic requests error={}", err.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> handle(JsonObject request) {
    UUID id;
    UUID objectId;
    try {
      id = UUID.fromString(request.getString("id"));
      objectId = UUID.fromString(request.getString("deployment_object_id"));
    } catch (RuntimeException e) {
      LOG.warn("ignoring a malformed diagnostic request: {}", e.getMessage());
      return Future.succeededFuture();
    }
    Instant expiresAt = instant(request.getString("expires_at"));
    return broker.claimDiagnostic(id)
        .map(claimed -> true)
        .recover(err -> {
          if (err instanceof BrokerCallException e && !e.retryable()) {
            // 409: another claim won; 404/403: gone or not ours
            LOG.info("diagnostic request not claimed request_id={} reason={}", id, e.getMessage());
          } else {
            LOG.warn("diagnostic claim failed request_id={} error={}", id, err.getMessage());
          }
          return Future.succeededFuture(false);
        })
        .compose(claimed -> claimed ? collectAndSubmit(id, objectId, expiresAt) : Future.succeededFuture());
  }

  private Future<Void> collectAndSubmit(UUID id, UUID objectId, Instant expiresAt) {
    LOG.info("diagnostic request claimed request_id={} deployment_object_id={}", id, objectId);
    return declared(objectId)
        .compose(declared -> {
          if (declared == null) {
            return Future.succeededFuture(failed(id, "deployment object " + objectId + " was not given to this agent"));
          }
          return collector.collect(objectId.toString(), id.toString(), declared)
              .map(c -> {
                LOG.info("diagnostics collected request_id={} pods={} events={} logs={} namespaces={}", id, c.pods(), c.events(),
                    c.logs(), c.namespaces());
                return c.result();
              })
              .recover(err -> Future.succeededFuture(failed(id, "collection failed: " + message(err))));
        })
        .compose(body -> submit(id, body, expiresAt));
  }

  private JsonObject failed(UUID id, String error) {
    LOG.warn("diagnostics not collected request_id={} error={}", id, error);
    return DiagnosticShapes.failure(error, Instant.now());
  }

  /**
   * What the deployment object declares, from the broker, else from what this agent applied of
   * it; null when it is neither readable nor ours.
   */
  private Future<List<ObjectRef>> declared(UUID objectId) {
    return broker.deploymentObject(objectId)
        .map(object -> refs(object.getString("yaml_content", "")))
        .recover(err -> {
          OwnedDeploymentObject owned = state.owned().get(objectId.toString());
          if (owned == null) {
            LOG.warn("deployment object not readable deployment_object_id={} error={}", objectId, err.getMessage());
            return Future.succeededFuture(null);
          }
          return Future.succeededFuture(owned.objects());
        });
  }

  private static List<ObjectRef> refs(String yaml) {
    try {
      return Manifests.parse(yaml).stream().map(Manifests::ref).toList();
    } catch (ManifestException e) {
      // unreadable manifests declare nothing: the pods found tell where to look
      return List.of();
    }
  }

  private Future<Void> submit(UUID id, JsonObject body, Instant expiresAt) {
    return broker.submitDiagnosticResult(id, body)
        .map(v -> {
          unsent.remove(id);
          LOG.info("diagnostic result submitted request_id={} failed={}", id, body.containsKey("error"));
          return (Void) null;
        })
        .recover(err -> {
          if (err instanceof BrokerCallException e && e.retryable() && Instant.now().isBefore(expiresAt)) {
            unsent.put(id, new Unsent(body, expiresAt));
            LOG.warn("diagnostic result kept for the next pass request_id={} error={}", id, e.getMessage());
          } else {
            unsent.remove(id);
            LOG.warn("diagnostic result dropped request_id={} error={}", id, err.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> resend() {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<UUID, Unsent> e : new ArrayList<>(unsent.entrySet())) {
      chain = chain.compose(v -> submit(e.getKey(), e.getValue().body(), e.getValue().expiresAt()));
    }
    return chain;
  }

  private static Instant instant(String timestamp) {
    try {
      return timestamp == null ? Instant.now().plusSeconds(3600) : Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.now().plusSeconds(3600);
    }
  }

  private static String message(Throwable err) {
    return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
  }
}
