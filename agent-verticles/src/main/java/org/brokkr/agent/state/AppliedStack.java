package org.brokkr.agent.state;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.brokkr.agent.cluster.ObjectRef;

/** What the agent last did for one stack: which deployment object, and whether it applied. */
public record AppliedStack(String deploymentObjectId, String checksum, boolean succeeded, List<ObjectRef> objects) {

  public JsonObject toJson() {
    JsonArray refs = new JsonArray();
    objects.forEach(r -> refs.add(new JsonObject().put("api_version", r.apiVersion()).put("kind", r.kind())
        .put("namespace", r.namespace()).put("name", r.name())));
    return new JsonObject().put("deployment_object_id", deploymentObjectId).put("checksum", checksum)
        .put("succeeded", succeeded).put("objects", refs);
  }

  public static AppliedStack fromJson(JsonObject json) {
    List<ObjectRef> refs = new ArrayList<>();
    for (Object o : json.getJsonArray("objects", new JsonArray())) {
      JsonObject r = (JsonObject) o;
      refs.add(new ObjectRef(r.getString("api_version"), r.getString("kind"), r.getString("namespace"), r.getString("name")));
    }
    return new AppliedStack(json.getString("deployment_object_id"), json.getString("checksum"),
        json.getBoolean("succeeded", false), List.copyOf(refs));
  }
}
