package org.brokkr.agent.testing;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the controllers and the kubelet would do, written directly into a test API server (which
 * runs neither): ReplicaSets and Pods with their owner references, pod statuses through the
 * status subresource, and Events.
 */
public final class Workloads {
  private final KubernetesClient kube;

  public Workloads(KubernetesClient kube) {
    this.kube = kube;
  }

  public static OwnerReference controlledBy(HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true).build();
  }

  /** A ReplicaSet controlled by {@code owner} (a Deployment), with the labels {@code app=<app>}. */
  public ReplicaSet replicaSet(HasMetadata owner, String name, String app) {
    return kube.apps().replicaSets().inNamespace(owner.getMetadata().getNamespace()).resource(new ReplicaSetBuilder()
        .withNewMetadata().withName(name).withNamespace(owner.getMetadata().getNamespace())
        .withOwnerReferences(controlledBy(owner)).endMetadata()
        .withNewSpec().withNewSelector().addToMatchLabels("app", app).endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", app).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("registry.example/app:1").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
  }

  /** The node pods are bound to: no such Node exists, so reading a log fails as with an unreachable kubelet. */
  public static final String NODE = "node-without-kubelet";

  /**
   * A pod in {@code namespace} with these containers, controlled by {@code owner} (null for none),
   * with these labels, bound to {@link #NODE}.
   */
  public Pod pod(String namespace, String name, HasMetadata owner, Map<String, String> labels, String... containers) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata();
    if (owner != null) {
      b.editMetadata().withOwnerReferences(controlledBy(owner)).endMetadata();
    }
    var spec = b.withNewSpec().withNodeName(NODE);
    for (String c : containers) {
      spec.addNewContainer().withName(c).withImage("registry.example/" + c + ":1").endContainer();
    }
    return kube.pods().inNamespace(namespace).resource(spec.endSpec().build()).create();
  }

  public static ContainerStatus running(String name) {
    return new ContainerStatusBuilder().withName(name).withImage("registry.example/" + name + ":1").withImageID("")
        .withReady(true).withRestartCount(0).withNewState().withNewRunning().withStartedAt("2026-01-01T00:00:00Z").endRunning()
        .endState().build();
  }

  public static ContainerStatus waiting(String name, String reason, String message) {
    return new ContainerStatusBuilder().withName(name).withImage("registry.example/" + name + ":1").withImageID("")
        .withReady(false).withRestartCount(3).withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting()
        .endState().build();
  }

  /** Writes a pod's status (phase, Ready condition, container statuses) as the kubelet would. */
  public Pod status(Pod pod, String phase, ContainerStatus... containers) {
    Pod current = kube.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
    boolean ready = containers.length > 0 && List.of(containers).stream().allMatch(ContainerStatus::getReady);
    current.setStatus(new PodStatusBuilder().withPhase(phase)
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .withContainerStatuses(containers).build());
    return kube.pods().inNamespace(current.getMetadata().getNamespace()).resource(current).updateStatus();
  }

  /** A core/v1 Event about {@code about}, last seen at {@code last}. */
  public Event event(String namespace, String name, HasMetadata about, String reason, Instant last) {
    return kube.v1().events().inNamespace(namespace).resource(new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(about.getKind())
        .withName(about.getMetadata().getName()).withNamespace(about.getMetadata().getNamespace())
        .withUid(about.getMetadata().getUid()).endInvolvedObject()
        .withType("Warning").withReason(reason).withMessage(reason + " of " + about.getMetadata().getName())
        .withFirstTimestamp(last.minusSeconds(60).toString()).withLastTimestamp(last.toString()).withCount(2)
        .withNewSource().withComponent("test").endSource()
        .build()).create();
  }

  /** Names of a list of items, in order. */
  public static List<String> names(List<? extends HasMetadata> items) {
    List<String> out = new ArrayList<>();
    items.forEach(i -> out.add(i.getMetadata().getName()));
    return out;
  }
}
