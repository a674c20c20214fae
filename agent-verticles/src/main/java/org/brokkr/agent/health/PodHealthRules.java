package org.brokkr.agent.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The health of a deployment object from its pods (their Kubernetes JSON), by the reference's
 * rules: containers waiting on a known problem, terminated by one, or last killed for memory make
 * it degraded; a failed pod makes it failing; a pod in phase Unknown makes it unknown; no pods at
 * all, unknown. Where pods disagree the worst wins (failing, then degraded, then unknown).
 */
public final class PodHealthRules {
  /** Waiting reasons that mean a container will not run without a change. */
  static final Set<String> WAITING_PROBLEMS = Set.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff",
      "CreateContainerConfigError", "InvalidImageName", "RunContainerError", "ContainerCannotRun");
  /** Termination reasons that mean a container stopped on a problem. */
  static final Set<String> TERMINATED_PROBLEMS = Set.of("OOMKilled", "Error", "ContainerCannotRun");

  private PodHealthRules() {}

  public static DeploymentHealth evaluate(List<JsonObject> pods) {
    if (pods.isEmpty()) {
      return DeploymentHealth.unknown();
    }
    String status = DeploymentHealth.HEALTHY;
    int ready = 0;
    Set<String> conditions = new TreeSet<>();
    List<DeploymentHealth.Resource> resources = new ArrayList<>();
    for (JsonObject pod : pods) {
      JsonObject meta = pod.getJsonObject("metadata", new JsonObject());
      JsonObject podStatus = pod.getJsonObject("status", new JsonObject());
      if (isReady(podStatus)) {
        ready++;
      }
      for (JsonObject cs : objects(podStatus.getJsonArray("containerStatuses"))) {
        JsonObject state = cs.getJsonObject("state", new JsonObject());
        JsonObject waiting = state.getJsonObject("waiting");
        if (waiting != null && WAITING_PROBLEMS.contains(waiting.getString("reason"))) {
          status = worse(status, DeploymentHealth.DEGRADED);
          conditions.add(waiting.getString("reason"));
          resources.add(new DeploymentHealth.Resource("Pod", meta.getString("name", ""), meta.getString("namespace", ""), false,
              waiting.getString("message")));
        }
        JsonObject terminated = state.getJsonObject("terminated");
        if (terminated != null && TERMINATED_PROBLEMS.contains(terminated.getString("reason"))) {
          status = worse(status, DeploymentHealth.DEGRADED);
          conditions.add(terminated.getString("reason"));
        }
        JsonObject last = cs.getJsonObject("lastState", new JsonObject()).getJsonObject("terminated");
        if (last != null && "OOMKilled".equals(last.getString("reason"))) {
          status = worse(status, DeploymentHealth.DEGRADED);
          conditions.add("OOMKilled");
        }
      }
      for (JsonObject cs : objects(podStatus.getJsonArray("initContainerStatuses"))) {
        JsonObject waiting = cs.getJsonObject("state", new JsonObject()).getJsonObject("waiting");
        if (waiting != null && WAITING_PROBLEMS.contains(waiting.getString("reason"))) {
          status = worse(status, DeploymentHealth.DEGRADED);
          conditions.add("InitContainer:" + waiting.getString("reason"));
        }
      }
      String phase = podStatus.getString("phase");
      if ("Failed".equals(phase)) {
        status = worse(status, DeploymentHealth.FAILING);
        conditions.add("PodFailed");
      } else if ("Unknown".equals(phase)) {
        status = worse(status, DeploymentHealth.UNKNOWN);
      }
    }
    return new DeploymentHealth(status, ready, pods.size(), List.copyOf(conditions), List.copyOf(resources));
  }

  private static boolean isReady(JsonObject podStatus) {
    for (JsonObject c : objects(podStatus.getJsonArray("conditions"))) {
      if ("Ready".equals(c.getString("type")) && "True".equals(c.getString("status"))) {
        return true;
      }
    }
    return false;
  }

  private static String worse(String a, String b) {
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(String status) {
    return switch (status) {
      case DeploymentHealth.FAILING -> 3;
      case DeploymentHealth.DEGRADED -> 2;
      case DeploymentHealth.UNKNOWN -> 1;
      default -> 0;
    };
  }

  private static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null) {
      for (Object o : array) {
        if (o instanceof JsonObject j) {
          out.add(j);
        }
      }
    }
    return out;
  }
}
