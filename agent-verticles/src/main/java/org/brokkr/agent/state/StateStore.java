package org.brokkr.agent.state;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's memory across restarts, in one small JSON file: what it applied per stack, the last
 * target state it received, and deployment results not yet delivered to the broker. Written
 * atomically (temporary file, then move) with Vert.x's asynchronous file system, and only when
 * something changed.
 */
public final class StateStore {
  private static final String FILE = "state.json";

  private final Vertx vertx;
  private final String dir;
  private final Map<String, AppliedStack> stacks = new LinkedHashMap<>();
  private final List<JsonObject> pendingEvents = new ArrayList<>();
  private JsonArray lastTargetState = new JsonArray();
  private String agentId;
  private String agentStatus;
  private Buffer lastSaved;
  /** What {@link #owned()} answers: rebuilt on load and save, read by other verticles. */
  private volatile Map<String, OwnedDeploymentObject> owned = Map.of();

  private StateStore(Vertx vertx, String dir) {
    this.vertx = vertx;
    this.dir = dir;
  }

  public static Future<StateStore> open(Vertx vertx, String dir) {
    StateStore store = new StateStore(vertx, dir);
    var fs = vertx.fileSystem();
    String path = dir + "/" + FILE;
    return fs.mkdirs(dir)
        .compose(v -> fs.exists(path))
        .compose(exists -> exists ? fs.readFile(path).map(store::load) : Future.succeededFuture(store));
  }

  private StateStore load(Buffer buffer) {
    JsonObject json = buffer.toJsonObject();
    lastSaved = buffer;
    agentId = json.getString("agent_id");
    agentStatus = json.getString("agent_status");
    JsonObject saved = json.getJsonObject("stacks", new JsonObject());
    saved.fieldNames().forEach(id -> stacks.put(id, AppliedStack.fromJson(saved.getJsonObject(id))));
    json.getJsonArray("pending_events", new JsonArray()).forEach(e -> pendingEvents.add((JsonObject) e));
    lastTargetState = json.getJsonArray("last_target_state", new JsonArray());
    publishOwned();
    return this;
  }

  /** State written by another agent identity is not ours to act on. */
  public void bindTo(String id) {
    if (agentId != null && !agentId.equals(id)) {
      stacks.clear();
      pendingEvents.clear();
      lastTargetState = new JsonArray();
      publishOwned();
    }
    agentId = id;
  }

  /** The agent id this state belongs to, or null when nothing was saved yet. */
  public String agentId() {
    return agentId;
  }

  /** The agent's status at the last save (so a restart during a broker outage keeps behaving alike). */
  public String agentStatus() {
    return agentStatus;
  }

  public void agentStatus(String status) {
    agentStatus = status;
  }

  public Map<String, AppliedStack> stacks() {
    return stacks;
  }

  public List<JsonObject> pendingEvents() {
    return pendingEvents;
  }

  public JsonArray lastTargetState() {
    return lastTargetState;
  }

  public void lastTargetState(JsonArray target) {
    lastTargetState = target;
  }

  /**
   * The deployment objects this agent applied and still owns, by id, as of the last load or save
   * (a stack whose latest object failed or was a deletion marker has none). An immutable snapshot,
   * safe to read from any thread.
   */
  public Map<String, OwnedDeploymentObject> owned() {
    return owned;
  }

  private void publishOwned() {
    Map<String, OwnedDeploymentObject> now = new LinkedHashMap<>();
    stacks.forEach((stackId, s) -> {
      if (s.succeeded() && !s.objects().isEmpty()) {
        now.put(s.deploymentObjectId(), new OwnedDeploymentObject(s.deploymentObjectId(), stackId, s.objects()));
      }
    });
    owned = java.util.Collections.unmodifiableMap(now);
  }

  public Future<Void> save() {
    publishOwned();
    JsonObject saved = new JsonObject();
    stacks.forEach((id, s) -> saved.put(id, s.toJson()));
    JsonObject json = new JsonObject()
        .put("agent_id", agentId)
        .put("agent_status", agentStatus)
        .put("stacks", saved)
        .put("pending_events", new JsonArray(new ArrayList<>(pendingEvents)))
        .put("last_target_state", lastTargetState);
    Buffer content = json.toBuffer();
    if (content.equals(lastSaved)) {
      return Future.succeededFuture();
    }
    String path = dir + "/" + FILE;
    String tmp = path + ".tmp";
    var fs = vertx.fileSystem();
    return fs.writeFile(tmp, content)
        .compose(v -> fs.move(tmp, path, new CopyOptions().setReplaceExisting(true).setAtomicMove(true)))
        .onSuccess(v -> lastSaved = content);
  }
}
