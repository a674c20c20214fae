package org.brokkr.agent.reconcile;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.brokkr.agent.state.AppliedStack;

/**
 * The changed-only decision: from the full target state (latest object of every stack associated
 * with the agent, plus deletion markers owed to it) and what was applied before, which objects to
 * apply and which stacks are gone. An object applied successfully and still the target is not
 * applied again, so an unchanged cluster costs no writes.
 */
public record ReconcilePlan(List<JsonObject> toApply, List<String> goneStacks, int unchanged) {

  public static ReconcilePlan of(JsonArray target, Map<String, AppliedStack> applied) {
    List<JsonObject> toApply = new ArrayList<>();
    Set<String> present = new HashSet<>();
    int unchanged = 0;
    for (Object o : target) {
      JsonObject object = (JsonObject) o;
      String stackId = object.getString("stack_id");
      present.add(stackId);
      AppliedStack before = applied.get(stackId);
      if (before != null && before.succeeded() && before.deploymentObjectId().equals(object.getString("id"))) {
        unchanged++;
      } else {
        toApply.add(object);
      }
    }
    List<String> gone = applied.keySet().stream().filter(id -> !present.contains(id)).toList();
    return new ReconcilePlan(List.copyOf(toApply), List.copyOf(gone), unchanged);
  }
}
