package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.brokkr.agent.cluster.LiveObject;
import org.brokkr.agent.cluster.ObjectRef;
import org.junit.jupiter.api.Test;

class PrunePlanTest {
  private static LiveObject live(String name, String stack, String owner, String checksum, boolean controlled) {
    return new LiveObject(new ObjectRef("v1", "ConfigMap", "default", name), Map.of(
        "k8s.brokkr.io/stack", stack, "brokkr.io/owner-id", owner, "k8s.brokkr.io/deployment-checksum", checksum), controlled);
  }

  private final List<LiveObject> cluster = List.of(
      live("current", "s1", "me", "new", false),
      live("stale", "s1", "me", "old", false),
      live("other-agents", "s1", "someone-else", "old", false),
      live("controlled", "s1", "me", "old", true),
      live("other-stack", "s2", "me", "old", false));

  @Test
  void deletesOnlyOwnUncontrolledObjectsOfTheStackWithAnotherChecksum() {
    assertEquals(List.of("stale"), PrunePlan.deletions(cluster, "me", "s1", "new").stream().map(ObjectRef::name).toList());
  }

  @Test
  void aGoneStackLosesAllOwnUncontrolledObjects() {
    assertEquals(List.of("current", "stale"), PrunePlan.deletions(cluster, "me", "s1", null).stream().map(ObjectRef::name).toList());
  }
}
