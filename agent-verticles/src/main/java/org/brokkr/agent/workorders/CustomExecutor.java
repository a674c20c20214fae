package org.brokkr.agent.workorders;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.agent.reconcile.Manifests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code custom} work order: server-side apply of every document, then, for each
 * {@code batch/v1} Job among them, a wait until it completes, fails, disappears or outlives the
 * claim deadline. Without a Job, the apply is the whole order.
 */
final class CustomExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(CustomExecutor.class);

  private final WorkOrderManifests manifests;
  private final StatusWatch watch;

  CustomExecutor(WorkOrderManifests manifests, StatusWatch watch) {
    this.manifests = manifests;
    this.watch = watch;
  }

  /** The success message; fails with a {@link WorkOrderFailure} (or an error classified by its text). */
  Future<String> execute(JsonObject order, ClaimDeadline deadline) {
    String id = order.getString("id");
    List<Map<String, Object>> docs = Manifests.ordered(manifests.parse(order.getString("yaml_content")));
    List<ObjectRef> jobs = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Map<String, Object> doc : docs) {
      ObjectRef ref = manifests.ref(doc);
      if ("batch/v1".equals(ref.apiVersion()) && "Job".equals(ref.kind())) {
        jobs.add(ref);
      }
      chain = chain.compose(v -> manifests.apply(doc));
    }
    String applied = "applied " + docs.size() + " resource(s)";
    return chain.compose(v -> {
      LOG.info("work order applied work_order_id={} resources={} jobs={}", id, docs.size(), jobs.size());
      if (jobs.isEmpty()) {
        return Future.succeededFuture(applied + " (apply only: no Job to wait for)");
      }
      List<String> finished = new ArrayList<>();
      Future<Void> waits = Future.succeededFuture();
      for (ObjectRef job : jobs) {
        waits = waits.compose(x -> watch.until(id, job, deadline, status -> judge(job, status)).map(done -> {
          finished.add(WorkOrderManifests.describe(job) + " completed");
          return (Void) null;
        }));
      }
      return waits.map(x -> applied + "; " + String.join("; ", finished));
    });
  }

  /** Complete=True is done, Failed=True a failure that would repeat, a vanished Job too. */
  private static StatusWatch.Verdict<Boolean> judge(ObjectRef job, Optional<Map<String, Object>> status) {
    if (status.isEmpty()) {
      throw WorkOrderFailure.permanent(WorkOrderManifests.describe(job) + " disappeared before it finished");
    }
    Map<String, Object> s = status.get();
    Conditions conditions = Conditions.of(s);
    if (conditions.isTrue("Complete")) {
      return StatusWatch.Verdict.done(true);
    }
    if (conditions.isTrue("Failed")) {
      throw WorkOrderFailure.permanent(WorkOrderManifests.describe(job) + " failed: "
          + conditions.reason("Failed", "Failed") + ": " + conditions.message("Failed", "no message"));
    }
    return StatusWatch.Verdict.running("active:" + count(s, "active") + ",succeeded:" + count(s, "succeeded")
        + ",failed:" + count(s, "failed"));
  }

  private static long count(Map<String, Object> status, String field) {
    return status.get(field) instanceof Number n ? n.longValue() : 0;
  }
}
