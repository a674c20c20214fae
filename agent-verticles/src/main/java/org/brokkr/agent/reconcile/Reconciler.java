package org.brokkr.agent.reconcile;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * events queued in the state store, in the order one deployment object at a time would queue them.
 *
 * <p>Kubernetes calls of a pass overlap, at most {@code applyConcurrency} in flight, only where
 * their order cannot change the outcome: across deployment objects as {@link StackSchedule} allows
 * (disjoint objects of independent kinds), and within one as {@link StackApply} does (dry runs
 * together, then applies in {@link ApplyOrder#waves}). The one difference left is the one no
 * overlap can avoid: when a real apply fails after its dry run passed, the documents of the same
 * wave already in flight still complete; the object is reported failed either way and re-applied
 * in full on the next pass. Pruning goes one stack after another; the deletions of one stack overlap
 * in the same window (they are of objects no longer wanted, whose order does not matter: an object
 * a deleted Namespace or CRD took with it counts as deleted).
 */
public final class Reconciler {
  public static final String FIELD_MANAGER = "brokkr-controller";
  public static final String VALIDATION_MANAGER = "validation";
  /** Kubernetes calls in flight at most during a pass, unless configured (agent.apply_concurrency). */
  public static final int DEFAULT_APPLY_CONCURRENCY = 16;
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  private final Vertx vertx;
  private final ClusterOps cluster;
  private final StateStore state;
  private final String agentId;
  private final Context context;
  private final int applyConcurrency;

  /**
   * What one pass did: deployment objects applied, deletion markers carried out, objects or markers
   * that failed, cluster objects deleted, objects already in place, stacks no longer targeted.
   */
  public record Report(int applied, int markers, int failed, int pruned, int unchanged, int goneStacks) {}

  /** With the default window ({@link #DEFAULT_APPLY_CONCURRENCY}). */
  public Reconciler(Vertx vertx, ClusterOps cluster, StateStore state, String agentId) {
    this(vertx, cluster, state, agentId, DEFAULT_APPLY_CONCURRENCY);
  }

  /**
   * Built on the Vert.x context its passes will run on (a verticle's, or a new one); at most
   * {@code applyConcurrency} Kubernetes calls of a pass are in flight (1: strictly one at a time).
   */
  public Reconciler(Vertx vertx, ClusterOps cluster, StateStore state, String agentId, int applyConcurrency) {
    if (applyConcurrency < 1) {
      throw new IllegalArgumentException("apply concurrency " + applyConcurrency);
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.cluster = cluster;
    this.state = state;
    this.agentId = agentId;
    this.applyConcurrency = applyConcurrency;
  }

  public Future<Report> run(JsonArray target) {
    if (Vertx.currentContext() == context) {
      return runHere(target);
    }
    // the window and the schedule are single-threaded: every step of a pass runs on one context
    Promise<Report> report = Promise.promise();
    context.runOnContext(v -> runHere(target).onComplete(report));
    return report.future();
  }

  private Future<Report> runHere(JsonArray target) {
    long started = System.nanoTime();
    ReconcilePlan plan = ReconcilePlan.of(target, state.stacks());
    List<Prepared> prepared = plan.toApply().stream().map(this::prepare).toList();
    String[] failures = new String[prepared.size()];
    CallWindow window = new CallWindow(applyConcurrency);
    StackApply stackApply = new StackApply(vertx, cluster, window);
    List<StackSchedule.Entry> entries = prepared.stream().map(Prepared::entry).toList();
    return StackSchedule.run(entries, applyConcurrency, i -> {
          Prepared p = prepared.get(i);
          if (p.parseError() != null) {
            failures[i] = p.parseError();
            return Future.succeededFuture();
          }
          return stackApply.run(p.objects()).otherwise(err -> {
            failures[i] = describe(err);
            return null;
          });
        })
        .compose(v -> {
          long applyDone = System.nanoTime();
          // outcomes in target order: failure events first, then (after pruning) successes, as one at a time did
          List<Applied> applied = new ArrayList<>();
          int failed = 0;
          for (int i = 0; i < prepared.size(); i++) {
            Prepared p = prepared.get(i);
            if (failures[i] != null) {
              failed++;
              recordFailure(p.stackId(), p.objectId(), p.checksum(), failures[i]);
            } else {
              applied.add(new Applied(p.stackId(), p.objectId(), p.checksum(),
                  p.objects().stream().map(Manifests::ref).toList(), p.marker()));
            }
          }
          int failedToApply = failed;
          return (applied.isEmpty() && plan.goneStacks().isEmpty()
              ? Future.succeededFuture(0)
              : pruneAll(applied, plan.goneStacks(), window))
              .onSuccess(pruned -> {
                if (!prepared.isEmpty() || pruned > 0) {
                  LOG.debug("pass deployment_objects={} apply_ms={} prune_ms={}", prepared.size(),
                      (applyDone - started) / 1_000_000, (System.nanoTime() - applyDone) / 1_000_000);
                }
              })
              .map(pruned -> new Report(settled(applied, false), settled(applied, true), failedToApply + pruneFailures(applied),
                  pruned, plan.unchanged(), plan.goneStacks().size()));
        });
  }

  /**
   * A deployment object of the plan, parsed and stamped: its documents in apply order (none for a
   * deletion marker, whose stack should be empty whatever YAML it carries), or why they cannot be.
   */
  private record Prepared(String stackId, String objectId, String checksum, boolean marker,
      List<Map<String, Object>> objects, String parseError) {
    StackSchedule.Entry entry() {
      Set<String> keys = new HashSet<>();
      keys.add("stack " + stackId);
      objects.forEach(o -> keys.add(ApplyOrder.identity(o)));
      return new StackSchedule.Entry(keys, ApplyOrder.exclusive(objects));
    }
  }

  private Prepared prepare(JsonObject object) {
    String stackId = object.getString("stack_id");
    String objectId = object.getString("id");
    String checksum = object.getString("yaml_checksum");
    if (object.getBoolean("is_deletion_marker", false)) {
      return new Prepared(stackId, objectId, checksum, true, List.of(), null);
    }
    try {
      List<Map<String, Object>> objects = Manifests.ordered(Manifests.parse(object.getString("yaml_content", ""))).stream()
          .map(o -> Manifests.stamped(o, stackId, checksum, objectId, agentId))
          .toList();
      return new Prepared(stackId, objectId, checksum, false, objects, null);
    } catch (ManifestException e) {
      return new Prepared(stackId, objectId, checksum, false, List.of(), e.getMessage());
    }
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

  /**
   * One scan of everything this agent owns, then, per applied stack, deletion of its objects of an
   * older checksum, and of everything of stacks no longer targeted. Results become events.
   */
  private Future<Integer> pruneAll(List<Applied> applied, List<String> goneStacks, CallWindow window) {
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
              chain = chain.compose(v -> deleteAll(PrunePlan.deletions(live, agentId, a.stackId, keep), window).map(errors -> {
                pruned[0] += errors.deleted();
                a.pruned = errors.deleted();
                if (!errors.messages().isEmpty()) {
                  a.pruneError = "prune failed: " + String.join("; ", errors.messages());
                }
                return null;
              }));
            }
            for (String stackId : goneStacks) {
              chain = chain.compose(v -> deleteAll(PrunePlan.deletions(live, agentId, stackId, null), window).map(errors -> {
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

  /** Every deletion is tried (within the window); failures are reported in the objects' order. */
  private Future<Deletions> deleteAll(List<ObjectRef> doomed, CallWindow window) {
    String[] errors = new String[doomed.size()];
    List<Future<Void>> deletions = new ArrayList<>(doomed.size());
    for (int i = 0; i < doomed.size(); i++) {
      int index = i;
      ObjectRef ref = doomed.get(i);
      deletions.add(window.call(() -> cluster.delete(ref)).otherwise(err -> {
        errors[index] = ref + ": " + describe(err);
        return null;
      }));
    }
    return Future.join(deletions).transform(ar -> {
      List<String> messages = new ArrayList<>();
      for (String e : errors) {
        if (e != null) {
          messages.add(e);
        }
      }
      return Future.succeededFuture(new Deletions(doomed.size() - messages.size(), messages));
    });
  }

  private void recordFailure(String stackId, String objectId, String checksum, String message) {
    AppliedStack before = state.stacks().get(stackId);
    state.stacks().put(stackId, new AppliedStack(objectId, checksum, false, before == null ? List.of() : before.objects()));
    queueEvent(objectId, "FAILURE", message);
    LOG.warn("apply failed stack_id={} deployment_object_id={} error={}", stackId, objectId, message);
  }

  private void queueEvent(String objectId, String status, String message) {
    state.pendingEvents().add(new JsonObject()
        .put("agent_id", agentId)
        .put("deployment_object_id", objectId)
        .put("event_type", "DEPLOY")
        .put("status", status)
        .put("message", message));
  }

  static String describe(Throwable err) {
    String m = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    return m.length() > 2000 ? m.substring(0, 2000) : m;
  }
}
