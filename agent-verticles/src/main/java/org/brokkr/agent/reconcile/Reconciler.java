package org.brokkr.agent.reconcile;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.brokkr.agent.cluster.ClusterCallException;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.state.AppliedStack;
import org.brokkr.agent.state.StateStore;
import org.brokkr.codecs.OwnershipAnnotations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the cluster match a target state: per changed deployment object, Namespaces and CRDs
 * first, a server-side dry run of the rest, the real server-side apply, then pruning of what this
 * agent applied earlier for that stack; and removal of stacks that are no longer associated.
 * A deletion marker says its stack should be empty: nothing of it is applied (whatever YAML it
 * carries) and everything this agent applied for the stack is pruned. Results become deployment
 * events queued in the state store.
 */
public final class Reconciler {
  public static final String FIELD_MANAGER = "brokkr-controller";
  public static final String VALIDATION_MANAGER = "validation";
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final Vertx vertx;
  private final ClusterOps cluster;
  private final StateStore state;
  private final String agentId;

  /**
   * What one pass did: deployment objects applied, deletion markers carried out, objects or markers
   * that failed, cluster objects deleted, objects already in place, stacks no longer targeted.
   */
  public record Report(int applied, int markers, int failed, int pruned, int unchanged, int goneStacks) {}

  public Reconciler(Vertx vertx, ClusterOps cluster, StateStore state, String agentId) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.state = state;
    this.agentId = agentId;
  }

  public Future<Report> run(JsonArray target) {
    ReconcilePlan plan = ReconcilePlan.of(target, state.stacks());
    List<Applied> applied = new ArrayList<>();
    int[] failed = {0};
    Future<Void> chain = Future.succeededFuture();
    for (JsonObject object : plan.toApply()) {
      chain = chain.compose(v -> applyObject(object).map(result -> {
        if (result == null) {
          failed[0]++;
        } else {
          applied.add(result);
        }
        return null;
      }));
    }
    return chain.compose(v -> applied.isEmpty() && plan.goneStacks().isEmpty()
            ? Future.succeededFuture(0)
            : pruneAll(applied, plan.goneStacks()))
        .map(pruned -> new Report(settled(applied, false), settled(applied, true), failed[0] + pruneFailures(applied), pruned,
            plan.unchanged(), plan.goneStacks().size()));
  }

  /** A deployment object whose objects were applied (none for a deletion marker); pruning still decides its outcome. */
  private static final class Applied {
    final String stackId;
    final String objectId;
    final String checksum;
    final List<ObjectRef> refs;
    final boolean marker;
    String pruneError;
    int pruned;

    Applied(String stackId, String objectId, String checksum, List<ObjectRef> refs, boolean marker) {
      this.stackId = stackId;
      this.objectId = objectId;
      this.checksum = checksum;
      this.refs = refs;
      this.marker = marker;
    }
  }

  private static int pruneFailures(List<Applied> applied) {
    return (int) applied.stream().filter(a -> a.pruneError != null).count();
  }

  private static int settled(List<Applied> applied, boolean markers) {
    return (int) applied.stream().filter(a -> a.pruneError == null && a.marker == markers).count();
  }

  /** Applies one object's documents; null when it failed (already recorded and reported). */
  private Future<Applied> applyObject(JsonObject object) {
    String stackId = object.getString("stack_id");
    String objectId = object.getString("id");
    String checksum = object.getString("yaml_checksum");
    if (object.getBoolean("is_deletion_marker", false)) {
      // the stack should be empty: nothing to apply, pruning removes the rest
      return Future.succeededFuture(new Applied(stackId, objectId, checksum, List.of(), true));
    }
    List<Map<String, Object>> objects;
    try {
      objects = Manifests.ordered(Manifests.parse(object.getString("yaml_content", ""))).stream()
          .map(o -> Manifests.stamped(o, stackId, checksum, objectId, agentId))
          .toList();
    } catch (ManifestException e) {
      recordFailure(stackId, objectId, checksum, e.getMessage());
      return Future.succeededFuture(null);
    }
    List<Map<String, Object>> priority = objects.stream().filter(Manifests::isPriority).toList();
    List<Map<String, Object>> rest = objects.stream().filter(o -> !Manifests.isPriority(o)).toList();
    List<String> createdNamespaces = new ArrayList<>();
    boolean hasCrd = priority.stream().anyMatch(o -> "CustomResourceDefinition".equals(o.get("kind")));

    return sequence(priority, p -> rememberNewNamespace(p, createdNamespaces)
            .compose(v -> cluster.apply(p, FIELD_MANAGER, false)))
        .compose(v -> sequence(rest, r -> hasCrd
            ? untilKindKnown(() -> cluster.apply(r, VALIDATION_MANAGER, true), 30)
            : cluster.apply(r, VALIDATION_MANAGER, true)))
        .compose(v -> sequence(rest, r -> cluster.apply(r, FIELD_MANAGER, false)))
        .map(v -> new Applied(stackId, objectId, checksum, objects.stream().map(Manifests::ref).toList(), false))
        .recover(err -> rollback(createdNamespaces).map(v -> {
          recordFailure(stackId, objectId, checksum, describe(err));
          return null;
        }));
  }

  /**
   * One scan of everything this agent owns, then, per applied stack, deletion of its objects of an
   * older checksum, and of everything of stacks no longer targeted. Results become events.
   */
  private Future<Integer> pruneAll(List<Applied> applied, List<String> goneStacks) {
    return cluster.listAnnotated(OwnershipAnnotations.OWNER_ID, agentId)
        .recover(err -> {
          String why = "listing owned objects failed: " + describe(err);
          applied.forEach(a -> a.pruneError = why);
          return Future.succeededFuture(null);
        })
        .compose(live -> {
          int[] pruned = {0};
          Future<Void> chain = Future.succeededFuture();
          if (live != null) {
            for (Applied a : applied) {
              // a marker keeps nothing, not even objects that happen to carry its checksum
              String keep = a.marker ? null : a.checksum;
              chain = chain.compose(v -> deleteAll(PrunePlan.deletions(live, agentId, a.stackId, keep)).map(errors -> {
                pruned[0] += errors.deleted();
                a.pruned = errors.deleted();
                if (!errors.messages().isEmpty()) {
                  a.pruneError = "prune failed: " + String.join("; ", errors.messages());
                }
                return null;
              }));
            }
            for (String stackId : goneStacks) {
              chain = chain.compose(v -> deleteAll(PrunePlan.deletions(live, agentId, stackId, null)).map(errors -> {
                pruned[0] += errors.deleted();
                if (errors.messages().isEmpty()) {
                  state.stacks().remove(stackId);
                  LOG.info("stack no longer targeted stack_id={} pruned={}", stackId, errors.deleted());
                } else {
                  LOG.warn("could not remove stack_id={} (will retry): {}", stackId, errors.messages());
                }
                return null;
              }));
            }
          }
          return chain.map(v -> {
            for (Applied a : applied) {
              if (a.pruneError == null) {
                state.stacks().put(a.stackId, new AppliedStack(a.objectId, a.checksum, true, a.refs));
                queueEvent(a.objectId, "SUCCESS", null);
                if (a.marker) {
                  LOG.info("deletion marker carried out stack_id={} deployment_object_id={} pruned={}", a.stackId, a.objectId, a.pruned);
                } else {
                  LOG.info("applied stack_id={} deployment_object_id={} objects={} pruned={}", a.stackId, a.objectId,
                      a.refs.size(), a.pruned);
                }
              } else {
                recordFailure(a.stackId, a.objectId, a.checksum, a.pruneError);
              }
            }
            return pruned[0];
          });
        });
  }

  private record Deletions(int deleted, List<String> messages) {}

  private Future<Deletions> deleteAll(List<ObjectRef> doomed) {
    List<String> errors = new ArrayList<>();
    int[] deleted = {0};
    Future<Void> chain = Future.succeededFuture();
    for (ObjectRef ref : doomed) {
      chain = chain.compose(v -> cluster.delete(ref).map(x -> {
        deleted[0]++;
        return (Void) null;
      }).otherwise(err -> {
        errors.add(ref + ": " + describe(err));
        return null;
      }));
    }
    return chain.map(v -> new Deletions(deleted[0], errors));
  }

  private void recordFailure(String stackId, String objectId, String checksum, String message) {
    AppliedStack before = state.stacks().get(stackId);
    state.stacks().put(stackId, new AppliedStack(objectId, checksum, false, before == null ? List.of() : before.objects()));
    queueEvent(objectId, "FAILURE", message);
    LOG.warn("apply failed stack_id={} deployment_object_id={} error={}", stackId, objectId, message);
  }

  private Future<Void> rememberNewNamespace(Map<String, Object> obj, List<String> created) {
    if (!"Namespace".equals(obj.get("kind"))) {
      return Future.succeededFuture();
    }
    String name = Manifests.ref(obj).name();
    return cluster.namespaceExists(name)
        .map(exists -> {
          if (!exists) {
            created.add(name);
          }
          return (Void) null;
        })
        // an existence check that failed never leads to a rollback delete
        .otherwise((Void) null);
  }

  private Future<Void> rollback(List<String> createdNamespaces) {
    Future<Void> chain = Future.succeededFuture();
    for (String ns : createdNamespaces) {
      chain = chain.compose(v -> cluster.delete(new ObjectRef("v1", "Namespace", null, ns))
          .otherwise(err -> {
            LOG.warn("rollback of namespace {} failed: {}", ns, describe(err));
            return null;
          }));
    }
    return chain;
  }

  /** Right after a CRD is applied its kind may be unknown for a moment: retry on 404. */
  private Future<Void> untilKindKnown(java.util.function.Supplier<Future<Void>> call, int attempts) {
    Promise<Void> promise = Promise.promise();
    retryNotFound(call, attempts, promise);
    return promise.future();
  }

  private void retryNotFound(java.util.function.Supplier<Future<Void>> call, int attemptsLeft, Promise<Void> promise) {
    call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        promise.complete();
      } else if (attemptsLeft > 1 && isNotFound(ar.cause())) {
        vertx.setTimer(500, id -> retryNotFound(call, attemptsLeft - 1, promise));
      } else {
        promise.fail(ar.cause());
      }
    });
  }

  private static boolean isNotFound(Throwable t) {
    if (t instanceof ClusterCallException e) {
      return e.status() == 404;
    }
    String m = t.getMessage();
    return m != null && (m.contains("404") || m.toLowerCase().contains("could not find the requested resource")
        || m.toLowerCase().contains("no resource") || m.toLowerCase().contains("not found"));
  }

  private void queueEvent(String objectId, String status, String message) {
    state.pendingEvents().add(new JsonObject()
        .put("agent_id", agentId)
        .put("deployment_object_id", objectId)
        .put("event_type", "DEPLOY")
        .put("status", status)
        .put("message", message));
  }

  private static <T> Future<Void> sequence(List<T> items, Function<T, Future<Void>> step) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) {
      chain = chain.compose(v -> step.apply(item));
    }
    return chain;
  }

  static String describe(Throwable err) {
    String m = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    return m.length() > 2000 ? m.substring(0, 2000) : m;
  }
}
