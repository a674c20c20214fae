package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How pods are attributed to deployment objects: own label or annotation, else up the controller chain. */
class PodAttributionTest {
  private static final String AGENT = "agent-1";
  private final Map<ObjectRef, JsonObject> cluster = new HashMap<>();
  private final Map<ObjectRef, Integer> fetches = new HashMap<>();
  private final PodAttribution attribution = new PodAttribution(ref -> {
    fetches.merge(ref, 1, Integer::sum);
    if (ref.kind().equals("Forbidden")) {
      return Future.failedFuture(new ClusterCallException(403, "Forbidden", "no", null));
    }
    return Future.succeededFuture(Optional.ofNullable(cluster.get(ref)));
  }, AGENT);

  private static JsonObject object(String apiVersion, String kind, String name, String uid) {
    return new JsonObject().put("apiVersion", apiVersion).put("kind", kind)
        .put("metadata", new JsonObject().put("name", name).put("namespace", "apps").put("uid", uid));
  }

  private JsonObject stored(JsonObject o) {
    JsonObject meta = o.getJsonObject("metadata");
    cluster.put(new ObjectRef(o.getString("apiVersion"), o.getString("kind"), meta.getString("namespace"), meta.getString("name")), o);
    return o;
  }

  private static JsonObject annotated(JsonObject o, String deploymentObjectId, String owner) {
    JsonObject a = new JsonObject().put("brokkr.io/deployment-object-id", deploymentObjectId);
    if (owner != null) {
      a.put("brokkr.io/owner-id", owner);
    }
    o.getJsonObject("metadata").put("annotations", a);
    return o;
  }

  private static JsonObject ownedBy(JsonObject o, JsonObject owner, Boolean controller) {
    JsonObject ref = new JsonObject().put("apiVersion", owner.getString("apiVersion")).put("kind", owner.getString("kind"))
        .put("name", owner.getJsonObject("metadata").getString("name"))
        .put("uid", owner.getJsonObject("metadata").getString("uid"));
    if (controller != null) {
      ref.put("controller", controller);
    }
    JsonObject meta = o.getJsonObject("metadata");
    meta.put("ownerReferences", meta.getJsonArray("ownerReferences", new JsonArray()).add(ref));
    return o;
  }

  private String of(JsonObject o) {
    return attribution.deploymentObjectOf(o).result();
  }

  @Test
  void aPodsOwnLabelOrAnnotationNamesItsDeploymentObject() {
    JsonObject labelled = object("v1", "Pod", "a", "u-a");
    labelled.getJsonObject("metadata").put("labels", new JsonObject().put("brokkr.io/deployment-object-id", "do-1"));
    assertEquals("do-1", of(labelled));
    assertEquals("do-2", of(annotated(object("v1", "Pod", "b", "u-b"), "do-2", AGENT)));
    assertTrue(fetches.isEmpty());
  }

  @Test
  void aPodOfADeploymentIsFoundThroughItsReplicaSet() {
    JsonObject deployment = stored(annotated(object("apps/v1", "Deployment", "web", "u-d"), "do-1", AGENT));
    JsonObject rs = stored(ownedBy(object("apps/v1", "ReplicaSet", "web-5d8", "u-rs"), deployment, true));
    JsonObject pod1 = ownedBy(object("v1", "Pod", "web-5d8-a", "u-p1"), rs, true);
    JsonObject pod2 = ownedBy(object("v1", "Pod", "web-5d8-b", "u-p2"), rs, true);
    assertEquals("do-1", of(pod1));
    assertEquals("do-1", of(pod2));
    assertEquals(Map.of(new ObjectRef("apps/v1", "ReplicaSet", "apps", "web-5d8"), 1,
        new ObjectRef("apps/v1", "Deployment", "apps", "web"), 1), fetches, "each owner is fetched once per pass");
    assertEquals(Set.of("u-d", "u-rs", "u-p1", "u-p2"), attribution.uidsOf("do-1"));
  }

  @Test
  void theControllerReferenceWinsOverOtherOwners() {
    JsonObject other = stored(annotated(object("v1", "ConfigMap", "other", "u-o"), "do-other", AGENT));
    JsonObject job = stored(annotated(object("batch/v1", "Job", "migrate", "u-j"), "do-1", AGENT));
    JsonObject pod = ownedBy(ownedBy(object("v1", "Pod", "p", "u-p"), other, null), job, true);
    assertEquals("do-1", of(pod));
    JsonObject firstWins = ownedBy(ownedBy(object("v1", "Pod", "q", "u-q"), other, null), job, null);
    assertEquals("do-other", of(firstWins), "without a controller, the first owner");
  }

  @Test
  void theChainIsFollowedAtMostFourOwnersUp() {
    JsonObject top = stored(annotated(object("example.com/v1", "Top", "t", "u-0"), "do-1", AGENT));
    JsonObject below = top;
    for (int i = 1; i <= 4; i++) {
      below = stored(ownedBy(object("example.com/v1", "Level" + i, "l" + i, "u-" + i), below, true));
    }
    // the pod's owner is Level4; Top is the fifth owner up
    JsonObject tooDeep = ownedBy(object("v1", "Pod", "deep", "u-deep"), below, true);
    assertNull(of(tooDeep));
    JsonObject l3 = cluster.get(new ObjectRef("example.com/v1", "Level3", "apps", "l3"));
    JsonObject fourUp = ownedBy(object("v1", "Pod", "ok", "u-ok"), l3, true);
    assertEquals("do-1", of(fourUp), "a walk cut short earlier does not decide for owners reached nearer the start");
  }

  @Test
  void anOwnerReplacedByAnotherOfTheSameNameIsNotTheOwner() {
    JsonObject deployment = annotated(object("apps/v1", "Deployment", "web", "u-new"), "do-1", AGENT);
    stored(deployment);
    JsonObject pod = ownedBy(object("v1", "Pod", "p", "u-p"), object("apps/v1", "Deployment", "web", "u-old"), true);
    assertNull(of(pod));
  }

  @Test
  void objectsStampedForAnotherAgentBelongToNothingHere() {
    JsonObject deployment = stored(annotated(object("apps/v1", "Deployment", "web", "u-d"), "do-1", "agent-2"));
    assertNull(of(ownedBy(object("v1", "Pod", "p", "u-p"), deployment, true)));
  }

  @Test
  void anOwnerThatIsGoneOrUnreadableAttributesNothing() {
    assertNull(of(ownedBy(object("v1", "Pod", "p", "u-p"), object("apps/v1", "ReplicaSet", "gone", "u-g"), true)));
    assertNull(of(ownedBy(object("v1", "Pod", "q", "u-q"), object("x/v1", "Forbidden", "f", "u-f"), true)));
    assertNull(of(object("v1", "Pod", "orphan", "u-o")));
  }

  @Test
  void anObjectKnownOnlyByReferenceIsFetchedUnlessAlreadyInHand() {
    JsonObject deployment = stored(annotated(object("apps/v1", "Deployment", "web", "u-d"), "do-1", AGENT));
    JsonObject pod = ownedBy(object("v1", "Pod", "p", "u-p"), deployment, true);
    attribution.remember(pod);
    assertEquals("do-1", attribution.deploymentObjectOf(new ObjectRef("v1", "Pod", "apps", "p")).result());
    assertEquals("do-1", attribution.deploymentObjectOf(new ObjectRef("apps/v1", "Deployment", "apps", "web")).result());
    assertEquals(1, attribution.lookups(), "only the Deployment was fetched");
  }
}
