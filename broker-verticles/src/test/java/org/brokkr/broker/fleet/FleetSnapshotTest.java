package org.brokkr.broker.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The whole-fleet view is computed once per snapshot however many callers ask, a stale copy is
 * answered while the next one is computed, and a change shows in the view once the snapshot ages.
 */
class FleetSnapshotTest {

  @Test
  void oneComputationServesConcurrentCallersAndAStaleCopyIsAnsweredDuringTheNext() throws Exception {
    FleetSnapshots snapshots = new FleetSnapshots(50);
    AtomicInteger computed = new AtomicInteger();
    Promise<Buffer> first = Promise.promise();
    Future<Buffer> a = snapshots.get(() -> { computed.incrementAndGet(); return first.future(); });
    Future<Buffer> b = snapshots.get(() -> { computed.incrementAndGet(); return Future.succeededFuture(Buffer.buffer("other")); });
    first.complete(Buffer.buffer("v1"));
    assertEquals("v1", a.await(5, TimeUnit.SECONDS).toString());
    assertEquals("v1", b.await(5, TimeUnit.SECONDS).toString(), "the second caller joined the first computation");
    assertEquals(1, computed.get());

    assertEquals("v1", snapshots.get(() -> Future.failedFuture("not asked while fresh")).await(5, TimeUnit.SECONDS).toString());
    Thread.sleep(60);
    Promise<Buffer> second = Promise.promise();
    assertEquals("v1", snapshots.get(() -> second.future()).await(5, TimeUnit.SECONDS).toString(),
        "an aged copy is answered at once while the next is computed");
    second.complete(Buffer.buffer("v2"));
    assertEquals("v2", snapshots.get(() -> Future.failedFuture("fresh again")).await(5, TimeUnit.SECONDS).toString());
  }

  @Test
  void aFailedComputationIsRetriedByTheNextCaller() throws Exception {
    FleetSnapshots snapshots = new FleetSnapshots(1_000);
    Future<Buffer> failed = snapshots.get(() -> Future.failedFuture("database down"));
    assertThrows(Exception.class, () -> failed.await(5, TimeUnit.SECONDS), "the caller sees the failure");
    assertEquals("v1", snapshots.get(() -> Future.succeededFuture(Buffer.buffer("v1"))).await(5, TimeUnit.SECONDS).toString(),
        "nothing was kept, so the next caller computes again");
  }

  @Test
  void zeroComputesEveryTime() throws Exception {
    FleetSnapshots snapshots = new FleetSnapshots(0);
    AtomicInteger computed = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      snapshots.get(() -> Future.succeededFuture(Buffer.buffer(String.valueOf(computed.incrementAndGet()))))
          .await(5, TimeUnit.SECONDS);
    }
    assertEquals(3, computed.get());
  }

  @Test
  void aNewAgentAppearsInTheServedViewOnceTheSnapshotAges() {
    var db = TestDatabase.fresh();
    try (TestBroker broker = TestBroker.start(db, Map.of("broker.fleet_snapshot_max_age_ms", "200"))) {
      assertEquals(200, broker.admin().get("/fleet").statusCode());
      var created = broker.admin().post("/agents", new JsonObject().put("name", "late").put("cluster_name", "c"));
      String id = created.bodyAsJsonObject().getJsonObject("agent").getString("id");
      Eventually.value(() -> broker.admin().get("/fleet").bodyAsJsonArray().stream()
          .anyMatch(o -> id.equals(((JsonObject) o).getString("agent_id"))) ? true : null);
    } finally {
      TestDatabase.drop(db);
    }
  }
}
