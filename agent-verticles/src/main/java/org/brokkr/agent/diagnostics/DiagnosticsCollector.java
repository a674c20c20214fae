package org.brokkr.agent.diagnostics;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.InTurn;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.cluster.PodAttribution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the evidence for one deployment object: the status of its pods (found by the same
 * attribution as health), the events about its objects in each namespace where it has objects or
 * pods (newest first, capped per namespace), and the log tail of each container of its pods.
 * Events about objects that are not the deployment object's are left out: the agent reports only
 * on what it was given. A log that cannot be read becomes {@code Error: <reason>} for that
 * container; failing to list pods or events fails the collection.
 */
public final class DiagnosticsCollector {
  private static final Logger LOG = LoggerFactory.getLogger(DiagnosticsCollector.class);

  private final ClusterOps cluster;
  private final String agentId;
  private final Optional<String> watchNamespace;

  /** A collection: the {@code SubmitDiagnosticResult} body and what it holds. */
  public record Collected(JsonObject result, int pods, int events, int logs, Set<String> namespaces) {}

  public DiagnosticsCollector(ClusterOps cluster, String agentId, Optional<String> watchNamespace) {
    this.cluster = cluster;
    this.agentId = agentId;
    this.watchNamespace = watchNamespace;
  }

  /**
   * Collects for deployment object {@code deploymentObjectId}, whose manifests declare
   * {@code declared} (namespace null where a manifest names none).
   */
  public Future<Collected> collect(String deploymentObjectId, String requestId, List<ObjectRef> declared) {
    PodAttribution attribution = new PodAttribution(cluster::getObject, agentId);
    return cluster.listPods()
        .compose(pods -> attributed(pods, attribution, deploymentObjectId))
        .compose(ours -> {
          Set<String> namespaces = new TreeSet<>();
          declared.stream().map(ObjectRef::namespace).filter(ns -> ns != null).forEach(namespaces::add);
          ours.forEach(p -> namespaces.add(p.getJsonObject("metadata").getString("namespace")));
          watchNamespace.ifPresent(ns -> namespaces.retainAll(Set.of(ns)));
          LOG.info("collecting diagnostics request_id={} deployment_object_id={} pods={} namespaces={}", requestId,
              deploymentObjectId, ours.size(), namespaces);
          JsonArray statuses = new JsonArray();
          ours.forEach(p -> statuses.add(DiagnosticShapes.podStatus(p)));
          return events(namespaces, deploymentObjectId, declared, attribution)
              .compose(events -> logTails(ours).map(logs -> new Collected(new JsonObject()
                      .put("pod_statuses", statuses.encode())
                      .put("events", events.encode())
                      .put("log_tails", logs.encode())
                      .put("collected_at", Instant.now().toString()),
                  ours.size(), events.size(), logs.size(), namespaces)));
        });
  }

  private static Future<List<JsonObject>> attributed(List<JsonObject> pods, PodAttribution attribution, String id) {
    List<JsonObject> ours = new ArrayList<>();
    return InTurn.each(pods, pod -> attribution.deploymentObjectOf(pod).map(owner -> {
      if (id.equals(owner)) {
        ours.add(pod);
      }
      return owner;
    })).map(v -> ours);
  }

  private Future<JsonArray> events(Set<String> namespaces, String id, List<ObjectRef> declared, PodAttribution attribution) {
    JsonArray all = new JsonArray();
    return InTurn.each(List.copyOf(namespaces), ns -> cluster.listEvents(ns).compose(events -> {
      List<JsonObject> kept = new ArrayList<>();
      return InTurn.each(events, event -> isAbout(event, ns, id, declared, attribution).map(yes -> {
        if (yes) {
          kept.add(DiagnosticShapes.event(event));
        }
        return yes;
      })).map(v -> {
        DiagnosticShapes.newestFirst(kept, DiagnosticShapes.EVENTS_PER_NAMESPACE).forEach(all::add);
        return v;
      });
    })).map(v -> all);
  }

  /** Whether an event is about one of the deployment object's objects (its pods, their owners, what it declares). */
  private static Future<Boolean> isAbout(JsonObject event, String ns, String id, List<ObjectRef> declared, PodAttribution attribution) {
    JsonObject involved = event.getJsonObject("involvedObject", new JsonObject());
    String uid = involved.getString("uid");
    if (uid != null && attribution.uidsOf(id).contains(uid)) {
      return Future.succeededFuture(true);
    }
    String kind = involved.getString("kind");
    String name = involved.getString("name");
    String given = involved.getString("namespace");
    String namespace = given == null || given.isEmpty() ? ns : given;
    if (kind == null || name == null) {
      return Future.succeededFuture(false);
    }
    // a declared object is known by name (its events outlive it); one declared without a namespace
    // could be another's of the same name, so only its annotations tell
    for (ObjectRef ref : declared) {
      if (ref.kind().equals(kind) && ref.name().equals(name) && namespace.equals(ref.namespace())) {
        return Future.succeededFuture(true);
      }
    }
    String apiVersion = involved.getString("apiVersion");
    if (apiVersion == null) {
      return Future.succeededFuture(false);
    }
    return attribution.deploymentObjectOf(new ObjectRef(apiVersion, kind, namespace, name)).map(id::equals);
  }

  private Future<JsonObject> logTails(List<JsonObject> pods) {
    Map<String, Object> tails = new LinkedHashMap<>();
    List<String[]> containers = new ArrayList<>();
    for (JsonObject pod : pods) {
      JsonObject meta = pod.getJsonObject("metadata");
      JsonObject spec = pod.getJsonObject("spec", new JsonObject());
      List<JsonObject> all = new ArrayList<>(DiagnosticShapes.objects(spec.getJsonArray("initContainers")));
      all.addAll(DiagnosticShapes.objects(spec.getJsonArray("containers")));
      all.forEach(c -> containers.add(new String[] {meta.getString("namespace"), meta.getString("name"), c.getString("name")}));
    }
    return InTurn.each(containers, c -> cluster.podLogTail(c[0], c[1], c[2], DiagnosticShapes.LOG_LINES)
            .otherwise(err -> "Error: " + (err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage()))
            .map(text -> tails.put(c[1] + "/" + c[2], text)))
        .map(v -> new JsonObject(tails));
  }
}
