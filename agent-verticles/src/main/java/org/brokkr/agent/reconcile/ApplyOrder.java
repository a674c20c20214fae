package org.brokkr.agent.reconcile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which documents may reach the API server at the same time without changing what a strictly
 * sequential apply would do.
 *
 * <p>An <em>independent</em> kind is one that no admission step of the API server reads when it
 * admits or defaults another object: its presence cannot change whether another object is valid
 * or what it becomes. ConfigMaps, Secrets and workload objects are; Namespaces and CRDs are not
 * (they always go first, in order), and neither are ServiceAccounts (a Pod naming a missing one is
 * refused), LimitRanges, ResourceQuotas, PriorityClasses, RuntimeClasses, StorageClasses and
 * IngressClasses (defaults and admission of Pods, PVCs and Ingresses read them), webhook and
 * admission-policy configurations, RBAC objects (what the agent itself may do), Services (node
 * ports and cluster IPs are allocated in order), APIServices and every custom kind (a policy engine
 * may read it at admission). Those keep their exact place: everything before one is done before it
 * starts, and it is done before anything after it starts.
 */
public final class ApplyOrder {
  private ApplyOrder() {}

  /** Independent kinds, by API group ("" is the core group) and kind; any version. */
  private static final Map<String, Set<String>> INDEPENDENT = Map.of(
      "", Set.of("ConfigMap", "Secret", "Pod", "PodTemplate", "ReplicationController", "PersistentVolumeClaim", "Endpoints"),
      "apps", Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"),
      "batch", Set.of("Job", "CronJob"),
      "autoscaling", Set.of("HorizontalPodAutoscaler"),
      "policy", Set.of("PodDisruptionBudget"),
      "networking.k8s.io", Set.of("NetworkPolicy", "Ingress"),
      "discovery.k8s.io", Set.of("EndpointSlice"));

  public static boolean independent(Map<String, Object> doc) {
    return doc.get("kind") instanceof String kind && INDEPENDENT.getOrDefault(group(doc), Set.of()).contains(kind);
  }

  /**
   * Which object a document writes, loosely: API group, kind and name. Versions of one kind are the
   * same object; the namespace is left out because a document without one lands in the default
   * namespace, which another may name, so same-named objects of different namespaces count as one.
   */
  public static String identity(Map<String, Object> doc) {
    return group(doc) + "/" + doc.get("kind") + "/" + Manifests.ref(doc).name();
  }

  private static String group(Map<String, Object> doc) {
    return doc.get("apiVersion") instanceof String v && v.contains("/") ? v.substring(0, v.indexOf('/')) : "";
  }

  /**
   * The non-priority documents of one deployment object (in their order) as consecutive waves of
   * indices: the documents of a wave may be applied together, a wave starts when the one before it
   * is done. A document of a kind that is not independent is a wave of its own; so is a second
   * document for an object already in the current wave (the later one must win, as in order).
   */
  public static List<List<Integer>> waves(List<Map<String, Object>> docs) {
    List<List<Integer>> waves = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    Set<String> inCurrent = new HashSet<>();
    for (int i = 0; i < docs.size(); i++) {
      Map<String, Object> doc = docs.get(i);
      boolean alone = !independent(doc);
      String ref = identity(doc);
      if (!current.isEmpty() && (alone || inCurrent.contains(ref))) {
        waves.add(current);
        current = new ArrayList<>();
        inCurrent = new HashSet<>();
      }
      current.add(i);
      inCurrent.add(ref);
      if (alone) {
        waves.add(current);
        current = new ArrayList<>();
        inCurrent = new HashSet<>();
      }
    }
    if (!current.isEmpty()) {
      waves.add(current);
    }
    return waves;
  }

  /**
   * Whether a deployment object must run alone among the deployment objects of a pass: when it has
   * a document that is not independent (a Namespace, a CRD, a ServiceAccount...), another stack's
   * objects may depend on it, or it on theirs, exactly as their order says.
   */
  public static boolean exclusive(List<Map<String, Object>> docs) {
    return docs.stream().anyMatch(d -> !independent(d));
  }
}
