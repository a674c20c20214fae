package org.brokkr.agent.workorders;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.agent.reconcile.ManifestException;
import org.brokkr.agent.reconcile.Manifests;

/**
 * The documents of a work order and their server-side apply (field manager {@value #FIELD_MANAGER},
 * forcing conflicts, transient API errors retried with backoff), shared by the executors.
 */
final class WorkOrderManifests {
  static final String FIELD_MANAGER = "brokkr-agent";

  private final Vertx vertx;
  private final ClusterOps cluster;
  private final RetryPolicy retry;
  private final String defaultNamespace;

  WorkOrderManifests(Vertx vertx, ClusterOps cluster, RetryPolicy retry, String defaultNamespace) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.retry = retry;
    this.defaultNamespace = defaultNamespace;
  }

  /** Every non-null document of the order's YAML; an order without any is a permanent failure. */
  List<Map<String, Object>> parse(String yaml) {
    List<Map<String, Object>> docs;
    try {
      docs = Manifests.parse(yaml);
    } catch (ManifestException e) {
      throw WorkOrderFailure.permanent("failed to parse work order yaml: " + e.getMessage());
    }
    if (docs.isEmpty()) {
      throw WorkOrderFailure.permanent("work order YAML content is empty");
    }
    return docs;
  }

  Future<Void> apply(Map<String, Object> doc) {
    return retry.run(vertx, () -> cluster.apply(doc, FIELD_MANAGER, false))
        .recover(err -> Future.failedFuture(WorkOrderFailure.classifiedByText(
            "failed to apply " + describe(Manifests.ref(doc)) + ": " + WorkOrderFailure.describe(err))));
  }

  /** Where a document lands: its own namespace, else the agent's (watched namespace or {@code default}). */
  ObjectRef ref(Map<String, Object> doc) {
    ObjectRef ref = Manifests.ref(doc);
    return ref.namespace() == null ? new ObjectRef(ref.apiVersion(), ref.kind(), defaultNamespace, ref.name()) : ref;
  }

  String defaultNamespace() {
    return defaultNamespace;
  }

  static String describe(ObjectRef ref) {
    return ref.kind() + " " + (ref.namespace() == null ? "" : ref.namespace() + "/") + ref.name();
  }
}
