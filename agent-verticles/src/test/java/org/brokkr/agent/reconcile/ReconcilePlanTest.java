package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.brokkr.agent.state.AppliedStack;
import org.junit.jupiter.api.Test;

class ReconcilePlanTest {
  private static JsonObject object(String id, String stack) {
    return new JsonObject().put("id", id).put("stack_id", stack).put("yaml_checksum", "sum-" + id);
  }

  @Test
  void unchangedSuccessfulObjectsAreNotAppliedAgain() {
    Map<String, AppliedStack> applied = new LinkedHashMap<>();
    applied.put("s1", new AppliedStack("o1", "sum-o1", true, List.of()));
    applied.put("s2", new AppliedStack("o2", "sum-o2", false, List.of()));
    applied.put("s3", new AppliedStack("o3-old", "sum-o3-old", true, List.of()));
    applied.put("gone", new AppliedStack("o9", "sum-o9", true, List.of()));
    JsonArray target = new JsonArray().add(object("o1", "s1")).add(object("o2", "s2")).add(object("o3", "s3")).add(object("o4", "s4"));

    ReconcilePlan plan = ReconcilePlan.of(target, applied);

    assertEquals(List.of("o2", "o3", "o4"), plan.toApply().stream().map(o -> o.getString("id")).toList(),
        "a failed object is retried, a new object of a known stack and a new stack are applied");
    assertEquals(1, plan.unchanged());
    assertEquals(List.of("gone"), plan.goneStacks());
  }

  @Test
  void anEmptyTargetMeansEveryStackIsGone() {
    Map<String, AppliedStack> applied = Map.of("s1", new AppliedStack("o1", "x", true, List.of()));
    assertEquals(List.of("s1"), ReconcilePlan.of(new JsonArray(), applied).goneStacks());
  }
}
