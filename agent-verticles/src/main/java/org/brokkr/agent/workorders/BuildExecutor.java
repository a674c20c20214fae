package org.brokkr.agent.workorders;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code build} work order on Shipwright: server-side apply of its {@code Build}, a new
 * {@code BuildRun} for this attempt (the API server picks a unique name, so a retried or
 * re-dispatched order never collides with an earlier run), then a wait for the run's
 * {@code Succeeded} condition, bounded by the claim deadline. The result is the image digest.
 */
final class BuildExecutor {
  static final String BUILDRUN_API_VERSION = "shipwright.io/v1beta1";
  static final String WORK_ORDER_LABEL = "brokkr.io/work-order-id";
  static final String BUILD_LABEL = "shipwright.io/build";
  /** The API server appends 5 characters to a generated name; Shipwright copies run names into label values (63 at most). */
  private static final int MAX_BUILD_PART = 63 - 5 - 1 - 8 - 1;
  private static final Logger LOG = LoggerFactory.getLogger(BuildExecutor.class);

  private final ClusterOps cluster;
  private final WorkOrderManifests manifests;
  private final StatusWatch watch;

  BuildExecutor(ClusterOps cluster, WorkOrderManifests manifests, StatusWatch watch) {
    this.cluster = cluster;
    this.manifests = manifests;
    this.watch = watch;
  }

  /** The Build to run and the documents to apply first. */
  private record Plan(String build, String namespace, List<Map<String, Object>> builds) {}

  /** The image digest (null when Shipwright reported none); fails with a {@link WorkOrderFailure} or an API error. */
  Future<String> execute(JsonObject order, ClaimDeadline deadline) {
    String id = order.getString("id");
    Plan plan = plan(manifests.parse(order.getString("yaml_content")));
    return cluster.serves(BUILDRUN_API_VERSION, "BuildRun")
        .compose(served -> {
          if (!served) {
            return Future.failedFuture(WorkOrderFailure.permanent(
                "Shipwright is not installed: the cluster does not serve BuildRun in " + BUILDRUN_API_VERSION));
          }
          Future<Void> chain = Future.succeededFuture();
          for (Map<String, Object> build : plan.builds()) {
            chain = chain.compose(v -> manifests.apply(build));
          }
          return chain;
        })
        .compose(v -> cluster.create(buildRun(plan, id)).recover(err -> Future.failedFuture(
            WorkOrderFailure.classifiedByText("failed to create a BuildRun of Build " + plan.namespace() + "/" + plan.build()
                + ": " + WorkOrderFailure.describe(err)))))
        .compose(run -> {
          LOG.info("work order BuildRun created work_order_id={} buildrun={}/{} build={} retry_count={}", id, run.namespace(),
              run.name(), plan.build(), order.getValue("retry_count"));
          return watch.until(id, run, deadline, status -> judge(run, status));
        });
  }

  /**
   * Every {@code shipwright.io} Build is applied, in its namespace or the agent's; the last one
   * names the Build to run. Without a Build document, a {@code brokkr.io} WorkOrder's
   * {@code spec.buildRef.name} names an existing one.
   */
  private Plan plan(List<Map<String, Object>> docs) {
    String build = null;
    String namespace = manifests.defaultNamespace();
    String buildRef = null;
    List<Map<String, Object>> builds = new ArrayList<>();
    for (Map<String, Object> doc : docs) {
      String apiVersion = (String) doc.get("apiVersion");
      String kind = (String) doc.get("kind");
      if (apiVersion.startsWith("shipwright.io") && "Build".equals(kind)) {
        ObjectRef ref = manifests.ref(doc);
        build = ref.name();
        namespace = ref.namespace();
        builds.add(inNamespace(doc, namespace));
      } else if (apiVersion.startsWith("brokkr.io") && "WorkOrder".equals(kind)
          && doc.get("spec") instanceof Map<?, ?> spec && spec.get("buildRef") instanceof Map<?, ?> ref
          && ref.get("name") instanceof String name && !name.isBlank() && buildRef == null) {
        buildRef = name;
      }
    }
    if (build == null) {
      build = buildRef;
    }
    if (build == null) {
      throw WorkOrderFailure.permanent("no Shipwright Build document or WorkOrder spec.buildRef.name in the work order YAML");
    }
    return new Plan(build, namespace, builds);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> inNamespace(Map<String, Object> doc, String namespace) {
    Map<String, Object> copy = new LinkedHashMap<>(doc);
    Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) doc.get("metadata"));
    meta.put("namespace", namespace);
    copy.put("metadata", meta);
    return copy;
  }

  private static Map<String, Object> buildRun(Plan plan, String workOrderId) {
    String base = plan.build().length() > MAX_BUILD_PART ? plan.build().substring(0, MAX_BUILD_PART) : plan.build();
    base = base.replaceAll("[.-]+$", "");
    String prefix = base + "-" + workOrderId.substring(0, Math.min(8, workOrderId.length())) + "-";
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put(WORK_ORDER_LABEL, workOrderId);
    labels.put(BUILD_LABEL, plan.build());
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("generateName", prefix);
    meta.put("namespace", plan.namespace());
    meta.put("labels", labels);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("apiVersion", BUILDRUN_API_VERSION);
    run.put("kind", "BuildRun");
    run.put("metadata", meta);
    run.put("spec", Map.of("build", Map.of("name", plan.build())));
    return run;
  }

  /** Succeeded=True is done (with the digest), Succeeded=False a failure told by Shipwright's details. */
  private static StatusWatch.Verdict<String> judge(ObjectRef run, Optional<Map<String, Object>> status) {
    if (status.isEmpty()) {
      throw WorkOrderFailure.permanent("BuildRun " + run.namespace() + "/" + run.name() + " disappeared before it finished");
    }
    Map<String, Object> s = status.get();
    Conditions conditions = Conditions.of(s);
    String succeeded = conditions.status("Succeeded");
    if ("True".equals(succeeded)) {
      return StatusWatch.Verdict.done(s.get("output") instanceof Map<?, ?> output && output.get("digest") instanceof String d
          ? d : null);
    }
    if ("False".equals(succeeded)) {
      throw WorkOrderFailure.classifiedByText(failure(s, conditions));
    }
    return StatusWatch.Verdict.running(succeeded == null ? "Pending" : conditions.reason("Succeeded", "Unknown"));
  }

  private static String failure(Map<String, Object> status, Conditions conditions) {
    if (status.get("failureDetails") instanceof Map<?, ?> details && (details.get("reason") != null || details.get("message") != null)) {
      return (details.get("reason") instanceof String r && !r.isBlank() ? r : "Unknown") + ": "
          + (details.get("message") instanceof String m && !m.isBlank() ? m : "No message");
    }
    return conditions.message("Succeeded", "Build failed");
  }
}
