package org.brokkr.agent.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.brokkr.codecs.OwnershipAnnotations;

/**
 * Which deployment object a live object (a pod, or what an event is about) belongs to: the one
 * named by its own {@code brokkr.io/deployment-object-id} label or annotation, else the one of
 * its controller (the owner reference marked controller, else the first), followed up to
 * {@link #MAX_OWNER_DEPTH} owners up. The agent stamps only the objects it applies, so a pod
 * usually gets there through its ReplicaSet or Job.
 *
 * <p>One instance serves one pass: every owner is fetched at most once, and each result is kept.
 * An object stamped as owned by another agent belongs to nothing here. Not thread-safe: use it on
 * one event loop.
 */
public final class PodAttribution {
  public static final int MAX_OWNER_DEPTH = 4;

  private final Function<ObjectRef, Future<Optional<JsonObject>>> lookup;
  private final String agentId;
  private final Map<ObjectRef, Future<Optional<JsonObject>>> fetched = new HashMap<>();
  private final Map<String, Future<Found>> byUid = new HashMap<>();
  private final Map<String, Set<String>> uidsByDeploymentObject = new HashMap<>();
  private int lookups;

  /** {@code lookup} fetches one object (empty when there is none), e.g. {@link ClusterOps#getObject}. */
  public PodAttribution(Function<ObjectRef, Future<Optional<JsonObject>>> lookup, String agentId) {
    this.lookup = lookup;
    this.agentId = agentId;
  }

  /** The id of the deployment object {@code object} belongs to, or null when it belongs to none of this agent's. */
  public Future<String> deploymentObjectOf(JsonObject object) {
    remember(object);
    return resolve(object, 0);
  }

  /** Like {@link #deploymentObjectOf}, for an object known only by reference (fetched first). */
  public Future<String> deploymentObjectOf(ObjectRef ref) {
    return fetch(ref).compose(found -> found.isPresent() ? resolve(found.get(), 0) : Future.succeededFuture(null));
  }

  /** The uids of every object seen so far that belongs to {@code deploymentObjectId} (pods and the owners between). */
  public Set<String> uidsOf(String deploymentObjectId) {
    return Set.copyOf(uidsByDeploymentObject.getOrDefault(deploymentObjectId, Set.of()));
  }

  /** How many objects were fetched from the cluster so far. */
  public int lookups() {
    return lookups;
  }

  /** Makes an object already in hand (e.g. a listed pod) known, so that a reference to it is not fetched again. */
  public void remember(JsonObject object) {
    ObjectRef ref = refOf(object);
    if (ref != null) {
      fetched.putIfAbsent(ref, Future.succeededFuture(Optional.of(object)));
    }
  }

  /** Where a walk ended: the deployment object (null for none), and whether the depth limit cut it short. */
  private record Found(String id, boolean cut) {}

  private Future<String> resolve(JsonObject object, int depth) {
    return resolveFrom(object, depth).map(Found::id);
  }

  private Future<Found> resolveFrom(JsonObject object, int depth) {
    String uid = metadata(object).getString("uid");
    Future<Found> known = uid == null ? null : byUid.get(uid);
    if (known != null) {
      return known;
    }
    Future<Found> found = walk(object, depth).map(f -> {
      if (f.id() != null && uid != null) {
        uidsByDeploymentObject.computeIfAbsent(f.id(), k -> new HashSet<>()).add(uid);
      }
      return f;
    });
    if (uid != null) {
      byUid.put(uid, found);
      // a walk cut short says nothing about this object when it is reached nearer the start
      found.onSuccess(f -> {
        if (f.cut()) {
          byUid.remove(uid);
        }
      });
    }
    return found;
  }

  private Future<Found> walk(JsonObject object, int depth) {
    JsonObject meta = metadata(object);
    JsonObject annotations = meta.getJsonObject("annotations", new JsonObject());
    String id = text(meta.getJsonObject("labels", new JsonObject()).getValue(OwnershipAnnotations.DEPLOYMENT_OBJECT_ID));
    if (id == null) {
      id = text(annotations.getValue(OwnershipAnnotations.DEPLOYMENT_OBJECT_ID));
    }
    if (id != null) {
      String owner = text(annotations.getValue(OwnershipAnnotations.OWNER_ID));
      return Future.succeededFuture(new Found(owner == null || owner.equals(agentId) ? id : null, false));
    }
    JsonObject controller = controllerOf(meta.getJsonArray("ownerReferences", new JsonArray()));
    if (controller == null) {
      return Future.succeededFuture(new Found(null, false));
    }
    if (depth >= MAX_OWNER_DEPTH) {
      return Future.succeededFuture(new Found(null, true));
    }
    String apiVersion = controller.getString("apiVersion");
    String kind = controller.getString("kind");
    String name = controller.getString("name");
    if (apiVersion == null || kind == null || name == null) {
      return Future.succeededFuture(new Found(null, false));
    }
    String expectedUid = controller.getString("uid");
    // owners live in the same namespace as what they own (or are cluster-scoped)
    return fetch(new ObjectRef(apiVersion, kind, meta.getString("namespace"), name)).compose(found -> {
      if (found.isEmpty() || (expectedUid != null && !expectedUid.equals(metadata(found.get()).getString("uid")))) {
        // gone, or a different object of the same name: not the owner
        return Future.succeededFuture(new Found(null, false));
      }
      return resolveFrom(found.get(), depth + 1);
    });
  }

  private Future<Optional<JsonObject>> fetch(ObjectRef ref) {
    Future<Optional<JsonObject>> f = fetched.get(ref);
    if (f == null) {
      lookups++;
      // an owner that cannot be read (no such kind, no right to read it) attributes nothing
      f = lookup.apply(ref).otherwise(Optional.empty());
      fetched.put(ref, f);
    }
    return f;
  }

  private static JsonObject controllerOf(JsonArray owners) {
    JsonObject first = null;
    for (Object o : owners) {
      if (o instanceof JsonObject owner) {
        if (Boolean.TRUE.equals(owner.getBoolean("controller"))) {
          return owner;
        }
        if (first == null) {
          first = owner;
        }
      }
    }
    return first;
  }

  private static ObjectRef refOf(JsonObject object) {
    JsonObject meta = metadata(object);
    String apiVersion = object.getString("apiVersion");
    String kind = object.getString("kind");
    String name = meta.getString("name");
    return apiVersion == null || kind == null || name == null ? null
        : new ObjectRef(apiVersion, kind, meta.getString("namespace"), name);
  }

  static JsonObject metadata(JsonObject object) {
    return object.getJsonObject("metadata", new JsonObject());
  }

  private static String text(Object value) {
    return value instanceof String s && !s.isBlank() ? s : null;
  }
}
