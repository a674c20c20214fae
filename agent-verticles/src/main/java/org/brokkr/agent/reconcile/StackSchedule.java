package org.brokkr.agent.reconcile;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Runs the deployment objects of one pass in their order, several at once where their order
 * cannot matter. Each starts only after every one before it has started, and only when
 * <ul>
 *   <li>fewer than {@code limit} are running;</li>
 *   <li>it is not exclusive, and no running one is ({@link ApplyOrder#exclusive}): a deployment
 *       object with a Namespace, a CRD or another kind others may depend on runs alone, so it sees
 *       everything before it done and nothing after it started, exactly as one at a time;</li>
 *   <li>no running one shares a key with it (its stack, or an object both write: the later one
 *       must win, as in order).</li>
 * </ul>
 * What runs together then writes disjoint objects of independent kinds, whose outcome does not
 * depend on which goes first. Not thread-safe: used from one Vert.x context.
 */
final class StackSchedule {
  /** One deployment object: the keys it touches, and whether it must run alone. */
  record Entry(Set<String> keys, boolean exclusive) {}

  private final List<Entry> entries;
  private final int limit;
  private final IntFunction<Future<Void>> start;
  private final List<Integer> running = new ArrayList<>();
  private final Promise<Void> done = Promise.promise();
  private int next;
  private boolean pumping;
  private boolean again;

  private StackSchedule(List<Entry> entries, int limit, IntFunction<Future<Void>> start) {
    this.entries = entries;
    this.limit = limit;
    this.start = start;
  }

  /** Starts {@code start.apply(i)} for every entry i as the rules allow; completes when all are done (their failures are theirs). */
  static Future<Void> run(List<Entry> entries, int limit, IntFunction<Future<Void>> start) {
    StackSchedule schedule = new StackSchedule(entries, Math.max(1, limit), start);
    schedule.pump();
    return schedule.done.future();
  }

  private boolean mayStart(Entry candidate) {
    if (running.isEmpty()) {
      return true;
    }
    if (running.size() >= limit || candidate.exclusive()) {
      return false;
    }
    for (int i : running) {
      Entry other = entries.get(i);
      if (other.exclusive() || !Collections.disjoint(other.keys(), candidate.keys())) {
        return false;
      }
    }
    return true;
  }

  private void pump() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (next < entries.size() && mayStart(entries.get(next))) {
          Integer index = next++;
          running.add(index);
          Future<Void> f;
          try {
            f = start.apply(index);
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(ar -> {
            running.remove(index);
            pump();
          });
        }
      } while (again);
    } finally {
      pumping = false;
    }
    if (next == entries.size() && running.isEmpty()) {
      done.tryComplete();
    }
  }
}
