package org.brokkr.agent.workorders;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.brokkr.agent.cluster.ClusterCallException;
import org.brokkr.agent.cluster.ClusterOps;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.cluster.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at an object's status every interval until a judge says it is done, it fails, or the
 * claim deadline passes (a timeout, told apart from a failure). A transient API error is waited
 * out; progress is logged when the state changes and at least once a minute.
 */
final class StatusWatch {
  private static final Logger LOG = LoggerFactory.getLogger(StatusWatch.class);
  private static final long PROGRESS_EVERY_MILLIS = 60_000;

  /** What one look decided: done (with a value), or still running in {@code state}. */
  record Verdict<T>(boolean done, T value, String state) {
    static <T> Verdict<T> done(T value) {
      return new Verdict<>(true, value, null);
    }

    static <T> Verdict<T> running(String state) {
      return new Verdict<>(false, null, state);
    }
  }

  private final Vertx vertx;
  private final ClusterOps cluster;
  private final long intervalMillis;

  StatusWatch(Vertx vertx, ClusterOps cluster, long intervalMillis) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.intervalMillis = intervalMillis;
  }

  /**
   * Watches {@code ref}. The judge gets the status (empty when the object is gone) and returns a
   * verdict or throws a {@link WorkOrderFailure}. When the deadline passes first, the future fails
   * with a permanent failure saying it timed out: the object keeps running, and another attempt
   * would only start a second one that waits as long.
   */
  <T> Future<T> until(String workOrderId, ObjectRef ref, ClaimDeadline deadline,
      Function<Optional<Map<String, Object>>, Verdict<T>> judge) {
    Promise<T> promise = Promise.promise();
    new Watch<>(workOrderId, ref, deadline, judge, promise).look();
    return promise.future();
  }

  private final class Watch<T> {
    final String workOrderId;
    final ObjectRef ref;
    final ClaimDeadline deadline;
    final Function<Optional<Map<String, Object>>, Verdict<T>> judge;
    final Promise<T> promise;
    final long startedNanos = System.nanoTime();
    String lastState;
    long lastLogNanos = System.nanoTime();

    Watch(String workOrderId, ObjectRef ref, ClaimDeadline deadline, Function<Optional<Map<String, Object>>, Verdict<T>> judge,
        Promise<T> promise) {
      this.workOrderId = workOrderId;
      this.ref = ref;
      this.deadline = deadline;
      this.judge = judge;
      this.promise = promise;
    }

    void look() {
      cluster.status(ref).onComplete(ar -> {
        if (ar.failed()) {
          if (!transientFailure(ar.cause())) {
            promise.fail(WorkOrderFailure.classifiedByText("could not read the status of " + ref.kind() + " " + name() + ": "
                + WorkOrderFailure.describe(ar.cause())));
            return;
          }
          progress("StatusReadFailed: " + WorkOrderFailure.describe(ar.cause()));
          next();
          return;
        }
        Verdict<T> verdict;
        try {
          verdict = judge.apply(ar.result());
        } catch (RuntimeException e) {
          promise.fail(e);
          return;
        }
        if (verdict.done()) {
          promise.complete(verdict.value());
          return;
        }
        progress(verdict.state());
        next();
      });
    }

    void next() {
      if (deadline.expired()) {
        promise.fail(WorkOrderFailure.permanent(ref.kind() + " " + name() + " timed out: not finished " + deadline.elapsedMillis() / 1000
            + " s after the claim (wait limit " + deadline.waitMillis() / 1000 + " s: " + deadline.describe()
            + "); the " + ref.kind() + " was not cancelled" + (lastState == null ? "" : "; last state: " + lastState)));
        return;
      }
      vertx.setTimer(Math.max(1, Math.min(intervalMillis, deadline.remainingMillis())), id -> look());
    }

    void progress(String state) {
      long now = System.nanoTime();
      if (!Objects.equals(state, lastState) || (now - lastLogNanos) / 1_000_000 >= PROGRESS_EVERY_MILLIS) {
        LOG.info("work order waiting work_order_id={} kind={} name={} waited_s={} remaining_s={} state={}", workOrderId,
            ref.kind(), name(), (now - startedNanos) / 1_000_000_000, deadline.remainingMillis() / 1000, state);
        lastLogNanos = now;
      }
      lastState = state;
    }

    String name() {
      return (ref.namespace() == null ? "" : ref.namespace() + "/") + ref.name();
    }
  }

  /** API server hiccups (429, 5xx, no answer) are waited out; a refusal or a kind no longer served ends the watch. */
  private static boolean transientFailure(Throwable t) {
    return RetryPolicy.isRetryable(t) || (t instanceof ClusterCallException e && e.status() == 0);
  }
}
