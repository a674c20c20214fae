package org.brokkr.agent.reconcile;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.brokkr.agent.cluster.ClusterCallException;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.InTurn;
import org.brokkr.agent.cluster.ObjectRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster side of one deployment object, its documents already parsed, stamped and ordered:
 * <ol>
 *   <li>its Namespaces and CRDs, one after another in their order (a Namespace that did not exist
 *       is remembered for rollback);</li>
 *   <li>a server-side dry run of every other document. Dry runs persist nothing, so running them
 *       together gives each the answer it would get alone; the real apply starts only when all are
 *       done, and the error reported is that of the first failing document in order (see
 *       {@link CallWindow#inOrder}), the one a sequential loop would have stopped at;</li>
 *   <li>the real server-side apply, in {@link ApplyOrder#waves}: documents of independent kinds
 *       together, any other kind alone in its place. After a failure no further document is
 *       started; documents already in flight complete (with a window of 1 none is, as before).</li>
 * </ol>
 * Any failure rolls back the Namespaces the attempt created and is the future's failure.
 */
final class StackApply {
  private static final Logger LOG = LoggerFactory.getLogger(StackApply.class);
  /** How long the kinds of a CRD applied just now may take to be served: attempts, 500 ms apart. */
  private static final int KIND_KNOWN_ATTEMPTS = 30;

  private final Vertx vertx;
  private final ClusterOps cluster;
  private final CallWindow window;

  StackApply(Vertx vertx, ClusterOps cluster, CallWindow window) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.window = window;
  }

  Future<Void> run(List<Map<String, Object>> objects) {
    List<Map<String, Object>> priority = objects.stream().filter(Manifests::isPriority).toList();
    List<Map<String, Object>> rest = objects.stream().filter(o -> !Manifests.isPriority(o)).toList();
    List<String> createdNamespaces = new ArrayList<>();
    boolean hasCrd = priority.stream().anyMatch(o -> "CustomResourceDefinition".equals(o.get("kind")));

    return InTurn.each(priority, p -> window.call(() -> rememberNewNamespace(p, createdNamespaces)
            .compose(v -> cluster.apply(p, Reconciler.FIELD_MANAGER, false))))
        .compose(v -> window.inOrder(rest, r -> hasCrd
            ? untilKindKnown(() -> cluster.apply(r, Reconciler.VALIDATION_MANAGER, true), KIND_KNOWN_ATTEMPTS)
            : cluster.apply(r, Reconciler.VALIDATION_MANAGER, true)))
        .compose(v -> InTurn.each(ApplyOrder.waves(rest), wave -> window.inOrder(wave,
            i -> cluster.apply(rest.get(i), Reconciler.FIELD_MANAGER, false))))
        .recover(err -> rollback(createdNamespaces).compose(v -> Future.failedFuture(err)));
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
    return InTurn.each(createdNamespaces, ns -> window.call(() -> cluster.delete(new ObjectRef("v1", "Namespace", null, ns))
        .otherwise(err -> {
          LOG.warn("rollback of namespace {} failed: {}", ns, Reconciler.describe(err));
          return null;
        })));
  }

  /** Right after a CRD is applied its kind may be unknown for a moment: retry on 404 (holding the call's place). */
  private Future<Void> untilKindKnown(Supplier<Future<Void>> call, int attempts) {
    Promise<Void> promise = Promise.promise();
    retryNotFound(call, attempts, promise);
    return promise.future();
  }

  private void retryNotFound(Supplier<Future<Void>> call, int attemptsLeft, Promise<Void> promise) {
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
}
