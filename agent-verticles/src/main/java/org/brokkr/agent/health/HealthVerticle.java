package org.brokkr.agent.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.PassTimer;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.broker.BrokerCallException;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.agent.live.Uplink;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.InTurn;
import org.brokkr.agent.cluster.PodAttribution;
import org.brokkr.agent.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment health timer: every {@code deployment_health_interval}, the pods of every
 * deployment object this agent applied and still owns are attributed and evaluated, and what
 * changed since the last report goes to the broker. Every {@code deployment_health_refresh_every}
 * passes (and on the first) everything is reported again, so the broker's write load stays flat
 * while a lost report heals. Nothing happens while the agent is not ACTIVE.
 */
public final class HealthVerticle extends PassTimer {
  private static final Logger LOG = LoggerFactory.getLogger(HealthVerticle.class);

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final BrokerClient broker;
  private final ClusterOps cluster;
  private final StateStore state;
  /** Per deployment object, the status and summary the broker has from us. */
  private final Map<String, JsonObject> reported = new HashMap<>();
  private long evaluations;
  private boolean podsUnreadable;
  private int undelivered;

  public HealthVerticle(AgentConfig config, AgentRuntime runtime, BrokerClient broker, ClusterOps cluster, StateStore state) {
    this.config = config;
    this.runtime = runtime;
    this.broker = broker;
    this.cluster = cluster;
    this.state = state;
  }

  @Override
  protected long intervalMillis() {
    return config.deploymentHealthIntervalSeconds() * 1000L;
  }

  @Override
  protected Future<Void> pass() {
    if (!runtime.active()) {
      return Future.succeededFuture();
    }
    Set<String> owned = state.owned().keySet();
    reported.keySet().retainAll(owned);
    if (owned.isEmpty()) {
      return Future.succeededFuture();
    }
    boolean refresh = evaluations++ % config.deploymentHealthRefreshEvery() == 0;
    Instant checkedAt = Instant.now();
    return evaluate(owned)
        .compose(health -> report(health, refresh, checkedAt))
        .recover(err -> {
          LOG.warn("health pass failed error={}", err.toString());
          return Future.succeededFuture();
        });
  }

  /** The health of each owned deployment object; all unknown when the pods cannot be listed. */
  private Future<Map<String, DeploymentHealth>> evaluate(Set<String> owned) {
    PodAttribution attribution = new PodAttribution(cluster::getObject, runtime.agentId().toString());
    return cluster.listPods()
        .compose(pods -> {
          if (podsUnreadable) {
            podsUnreadable = false;
            LOG.info("health check can list pods again");
          }
          Map<String, List<JsonObject>> byObject = new HashMap<>();
          return InTurn.each(pods, pod -> attribution.deploymentObjectOf(pod).map(id -> {
            if (id != null && owned.contains(id)) {
              byObject.computeIfAbsent(id, k -> new ArrayList<>()).add(pod);
            }
            return id;
          })).map(v -> {
            Map<String, DeploymentHealth> out = new LinkedHashMap<>();
            owned.forEach(id -> out.put(id, PodHealthRules.evaluate(byObject.getOrDefault(id, List.of()))));
            LOG.debug("health evaluated objects={} pods={} owner_lookups={}", out.size(), pods.size(), attribution.lookups());
            return out;
          });
        })
        .recover(err -> {
          if (!podsUnreadable) {
            podsUnreadable = true;
            LOG.warn("health check cannot list pods, reporting unknown error={}", err.getMessage());
          }
          Map<String, DeploymentHealth> out = new LinkedHashMap<>();
          owned.forEach(id -> out.put(id, DeploymentHealth.unknown()));
          return Future.succeededFuture(out);
        });
  }

  private Future<Void> report(Map<String, DeploymentHealth> health, boolean refresh, Instant checkedAt) {
    Map<String, JsonObject> due = new LinkedHashMap<>();
    health.forEach((id, h) -> {
      JsonObject seen = new JsonObject().put("status", h.status()).put("summary", h.summary());
      if (refresh || !seen.equals(reported.get(id))) {
        due.put(id, seen);
      }
    });
    if (due.isEmpty()) {
      return Future.succeededFuture();
    }
    return overSocket(due, checkedAt).compose(rest -> rest.isEmpty()
        ? Future.succeededFuture()
        : byRest(rest, health.size(), refresh, checkedAt));
  }

  /**
   * Sends each due entry as an {@code agent_health} frame while the live socket takes them; the
   * result is what is left for REST (everything when the socket is not up).
   */
  private Future<Map<String, JsonObject>> overSocket(Map<String, JsonObject> due, Instant checkedAt) {
    Map<String, JsonObject> rest = new LinkedHashMap<>(due);
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, JsonObject> e : due.entrySet()) {
      chain = chain.compose(v -> Uplink.send(vertx, () -> Uplink.agentHealth(runtime.agentId(), entry(e.getKey(), e.getValue(), checkedAt)))
          .map(sent -> {
            reported.put(e.getKey(), e.getValue());
            rest.remove(e.getKey());
            return (Void) null;
          }));
    }
    return chain.transform(ar -> {
      if (rest.size() < due.size()) {
        undelivered = 0;
        LOG.debug("health sent over the live socket objects={} left_for_rest={}", due.size() - rest.size(), rest.size());
      }
      return Future.succeededFuture(rest);
    });
  }

  private Future<Void> byRest(Map<String, JsonObject> due, int of, boolean refresh, Instant checkedAt) {
    JsonArray entries = new JsonArray();
    due.forEach((id, seen) -> entries.add(entry(id, seen, checkedAt)));
    return broker.reportHealth(runtime.agentId(), entries)
        .map(v -> {
          reported.putAll(due);
          undelivered = 0;
          LOG.info("health reported objects={} of={} refresh={}", due.size(), of, refresh);
          return (Void) null;
        })
        .recover(err -> {
          if (err instanceof BrokerCallException e && !e.retryable() && due.size() > 1) {
            // one object the broker refuses (e.g. no longer given to us) must not hold back the others
            return reportEach(due, checkedAt);
          }
          if (err instanceof BrokerCallException e && !e.retryable()) {
            refused(due.keySet().iterator().next(), due.values().iterator().next(), e);
            return Future.succeededFuture();
          }
          if (undelivered++ % 10 == 0) {
            LOG.warn("health report not delivered, retried next pass objects={} attempts={} error={}", due.size(), undelivered,
                err.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> reportEach(Map<String, JsonObject> due, Instant checkedAt) {
    Future<Void> chain = Future.succeededFuture();
    for (Map.Entry<String, JsonObject> e : due.entrySet()) {
      chain = chain.compose(v -> broker.reportHealth(runtime.agentId(), new JsonArray().add(entry(e.getKey(), e.getValue(), checkedAt)))
          .map(ok -> {
            reported.put(e.getKey(), e.getValue());
            return (Void) null;
          })
          .recover(err -> {
            if (err instanceof BrokerCallException bce && !bce.retryable()) {
              refused(e.getKey(), e.getValue(), bce);
            }
            return Future.succeededFuture();
          }));
    }
    return chain;
  }

  /** A refusal that will not change on retry: not sent again until the object's health changes. */
  private void refused(String id, JsonObject seen, BrokerCallException e) {
    reported.put(id, seen);
    LOG.warn("health report refused deployment_object_id={} error={}", id, e.getMessage());
  }

  private static JsonObject entry(String id, JsonObject seen, Instant checkedAt) {
    return new JsonObject().put("id", id).put("status", seen.getString("status")).put("summary", seen.getJsonObject("summary"))
        .put("checked_at", checkedAt.toString());
  }
}
