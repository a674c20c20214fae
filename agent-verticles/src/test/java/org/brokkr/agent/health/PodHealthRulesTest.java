package org.brokkr.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of the pod health evaluation, one pod shape at a time. */
class PodHealthRulesTest {

  private static JsonObject pod(String name, String phase, boolean ready, JsonArray containers) {
    return new JsonObject()
        .put("metadata", new JsonObject().put("name", name).put("namespace", "apps"))
        .put("status", new JsonObject().put("phase", phase)
            .put("conditions", new JsonArray().add(new JsonObject().put("type", "Ready").put("status", ready ? "True" : "False")))
            .put("containerStatuses", containers));
  }

  private static JsonObject running(String name) {
    return new JsonObject().put("name", name).put("ready", true)
        .put("state", new JsonObject().put("running", new JsonObject().put("startedAt", "2026-01-01T00:00:00Z")));
  }

  private static JsonObject waiting(String name, String reason, String message) {
    return new JsonObject().put("name", name).put("ready", false)
        .put("state", new JsonObject().put("waiting", new JsonObject().put("reason", reason).put("message", message)));
  }

  private static JsonObject terminated(String name, String reason) {
    return new JsonObject().put("name", name).put("ready", false)
        .put("state", new JsonObject().put("terminated", new JsonObject().put("reason", reason).put("exitCode", 1)));
  }

  private static JsonObject healthyPod(String name) {
    return pod(name, "Running", true, new JsonArray().add(running("app")));
  }

  @Test
  void readyRunningPodsAreHealthyAndCounted() {
    DeploymentHealth h = PodHealthRules.evaluate(List.of(healthyPod("a"), healthyPod("b")));
    assertEquals("healthy", h.status());
    assertEquals(2, h.podsReady());
    assertEquals(2, h.podsTotal());
    assertEquals(List.of(), h.conditions());
    assertEquals(new JsonObject().put("pods_ready", 2).put("pods_total", 2).put("conditions", new JsonArray())
        .put("resources", new JsonArray()), h.summary());
  }

  @Test
  void noPodsIsUnknown() {
    DeploymentHealth h = PodHealthRules.evaluate(List.of());
    assertEquals("unknown", h.status());
    assertEquals(0, h.podsTotal());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError",
      "InvalidImageName", "RunContainerError", "ContainerCannotRun"})
  void aContainerWaitingOnAProblemDegradesAndNamesThePod(String reason) {
    JsonObject bad = pod("web-1", "Pending", false, new JsonArray().add(waiting("app", reason, "why: " + reason)));
    DeploymentHealth h = PodHealthRules.evaluate(List.of(healthyPod("web-0"), bad));
    assertEquals("degraded", h.status());
    assertEquals(1, h.podsReady());
    assertEquals(2, h.podsTotal());
    assertEquals(List.of(reason), h.conditions());
    assertEquals(List.of(new DeploymentHealth.Resource("Pod", "web-1", "apps", false, "why: " + reason)), h.resources());
  }

  @Test
  void waitingForAnOrdinaryReasonIsNotAProblem() {
    DeploymentHealth h = PodHealthRules.evaluate(List.of(pod("p", "Pending", false,
        new JsonArray().add(waiting("app", "ContainerCreating", null)))));
    assertEquals("healthy", h.status());
    assertEquals(0, h.podsReady());
  }

  @ParameterizedTest
  @ValueSource(strings = {"OOMKilled", "Error", "ContainerCannotRun"})
  void aContainerTerminatedByAProblemDegrades(String reason) {
    DeploymentHealth h = PodHealthRules.evaluate(List.of(pod("p", "Running", false, new JsonArray().add(terminated("app", reason)))));
    assertEquals("degraded", h.status());
    assertEquals(List.of(reason), h.conditions());
    assertEquals(List.of(), h.resources(), "only waiting containers are listed as resources");
  }

  @Test
  void aCompletedContainerIsNotAProblem() {
    DeploymentHealth h = PodHealthRules.evaluate(List.of(pod("job-x", "Succeeded", false,
        new JsonArray().add(terminated("app", "Completed")))));
    assertEquals("healthy", h.status());
  }

  @Test
  void aContainerLastKilledForMemoryDegradesEvenWhenRunningAgain() {
    JsonObject cs = running("app").put("lastState", new JsonObject().put("terminated", new JsonObject().put("reason", "OOMKilled")));
    DeploymentHealth h = PodHealthRules.evaluate(List.of(pod("p", "Running", true, new JsonArray().add(cs))));
    assertEquals("degraded", h.status());
    assertEquals(List.of("OOMKilled"), h.conditions());
    assertEquals(1, h.podsReady());
  }

  @Test
  void anInitContainerWaitingOnAProblemDegradesWithItsOwnCondition() {
    JsonObject p = pod("p", "Pending", false, new JsonArray());
    p.getJsonObject("status").put("initContainerStatuses", new JsonArray().add(waiting("init", "ImagePullBackOff", "no such image")));
    DeploymentHealth h = PodHealthRules.evaluate(List.of(p));
    assertEquals("degraded", h.status());
    assertEquals(List.of("InitContainer:ImagePullBackOff"), h.conditions());
  }

  @Test
  void aFailedPodIsFailingAndALaterDegradedPodDoesNotHideIt() {
    JsonObject failed = pod("a", "Failed", false, new JsonArray().add(terminated("app", "Completed")));
    JsonObject degraded = pod("b", "Running", false, new JsonArray().add(waiting("app", "CrashLoopBackOff", "back-off")));
    assertEquals("failing", PodHealthRules.evaluate(List.of(failed, degraded)).status());
    assertEquals("failing", PodHealthRules.evaluate(List.of(degraded, failed)).status());
    assertEquals(List.of("CrashLoopBackOff", "PodFailed"), PodHealthRules.evaluate(List.of(failed, degraded)).conditions());
  }

  @Test
  void aPodInPhaseUnknownIsUnknownUnlessSomethingWorseWasSeen() {
    JsonObject lost = pod("a", "Unknown", false, new JsonArray());
    JsonObject degraded = pod("b", "Running", false, new JsonArray().add(waiting("app", "ErrImagePull", null)));
    assertEquals("unknown", PodHealthRules.evaluate(List.of(healthyPod("h"), lost)).status());
    assertEquals("degraded", PodHealthRules.evaluate(List.of(lost, degraded)).status());
    assertEquals("degraded", PodHealthRules.evaluate(List.of(degraded, lost)).status());
  }

  @Test
  void conditionsAreUniqueAndInAStableOrder() {
    JsonObject a = pod("a", "Running", false, new JsonArray().add(waiting("x", "CrashLoopBackOff", null))
        .add(waiting("y", "ImagePullBackOff", null)));
    JsonObject b = pod("b", "Running", false, new JsonArray().add(waiting("x", "CrashLoopBackOff", null)));
    DeploymentHealth h = PodHealthRules.evaluate(List.of(a, b));
    assertEquals(List.of("CrashLoopBackOff", "ImagePullBackOff"), h.conditions());
    assertEquals(3, h.resources().size(), "one entry per container with a problem");
    assertEquals(h.summary(), PodHealthRules.evaluate(List.of(a, b)).summary(), "same pods, same summary");
  }

  @Test
  void aPodWithoutStatusCountsButIsNotReady() {
    DeploymentHealth h = PodHealthRules.evaluate(List.of(new JsonObject().put("metadata", new JsonObject().put("name", "p"))));
    assertEquals("healthy", h.status());
    assertEquals(0, h.podsReady());
    assertEquals(1, h.podsTotal());
  }
}
