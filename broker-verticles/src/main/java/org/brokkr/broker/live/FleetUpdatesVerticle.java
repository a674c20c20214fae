package org.brokkr.broker.live;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.broker.fleet.FleetRepository;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.live.MalformedFrameException;
import org.brokkr.codecs.live.WsFrame;
import org.brokkr.codecs.live.WsVariant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fleet_update} frames for the fleet's live subscribers: an agent's record when its socket
 * opens or closes and when it sends a heartbeat ({@link Addresses#FLEET_AGENT_CHANGED}), and every
 * {@link #SWEEP_MILLIS} ms the records whose work counters changed since the previous sweep (the
 * first sweep after subscribers appear only takes note). An agent's change is read and published
 * whether or not this replica has fleet subscribers, since another replica's may follow (the
 * relay carries it there); the sweep reads the whole fleet only while this replica has fleet
 * subscribers, and what it finds goes to them alone (every replica sweeps for its own).
 * One instance per broker.
 */
public final class FleetUpdatesVerticle extends VerticleBase {
  public static final long SWEEP_MILLIS = 20_000;
  private static final Logger LOG = LoggerFactory.getLogger(FleetUpdatesVerticle.class);
  private static final List<String> COUNTERS = List.of("pending_object_count", "pending_work_orders",
      "claimed_work_orders", "health_failing", "health_degraded");

  private final Pool pool;
  private final LiveStreams streams;
  private final long sweepMillis;
  private final FleetRepository repo = new FleetRepository();
  private Map<String, List<Object>> seen;
  private MessageConsumer<String> consumer;
  private long timer = -1;
  private boolean sweeping;

  public FleetUpdatesVerticle(Pool pool, LiveStreams streams, long sweepMillis) {
    this.pool = pool;
    this.streams = streams;
    this.sweepMillis = sweepMillis;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().<String>localConsumer(Addresses.FLEET_AGENT_CHANGED, m -> changed(m.body()));
    timer = vertx.setPeriodic(sweepMillis, id -> sweep());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return consumer.unregister();
  }

  private void changed(String agentId) {
    UUID id;
    try {
      id = UUID.fromString(agentId);
    } catch (IllegalArgumentException e) {
      return;
    }
    repo.record(pool, id).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("fleet update not read agent_id={}: {}", id, FailureLog.oneLine(ar.cause().toString()));
      } else if (!ar.result().isEmpty()) {
        publish(ar.result().getJsonObject(0), true);
      }
    });
  }

  /** One sweep: the records whose counters moved; the first one after a quiet spell only notes them. */
  Future<Void> sweep() {
    if (!streams.hasFleetSubscribers()) {
      seen = null;
      return Future.succeededFuture();
    }
    if (sweeping) {
      return Future.succeededFuture();
    }
    sweeping = true;
    return repo.records(pool, null).map(records -> {
      compare(records);
      return (Void) null;
    }).onFailure(e -> LOG.warn("fleet sweep failed: {}", FailureLog.oneLine(e.toString())))
        .onComplete(ar -> sweeping = false);
  }

  private void compare(JsonArray records) {
    boolean seeding = seen == null;
    Map<String, List<Object>> now = new HashMap<>();
    for (Object o : records) {
      JsonObject record = (JsonObject) o;
      String id = record.getString("agent_id");
      List<Object> counters = COUNTERS.stream().map(record::getValue).toList();
      now.put(id, counters);
      if (!seeding && !counters.equals(seen.get(id))) {
        publish(record, false);
      }
    }
    seen = now;
  }

  private void publish(JsonObject record, boolean everywhere) {
    try {
      String frame = new WsFrame(WsVariant.FLEET_UPDATE, record).encode();
      if (everywhere) {
        streams.fleetFrame(frame);
      } else {
        streams.localFleetFrame(frame);
      }
    } catch (MalformedFrameException e) {
      LOG.warn("fleet update not sent agent_id={}: {}", record.getString("agent_id"), e.getMessage());
    }
  }
}
