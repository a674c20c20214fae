package org.brokkr.broker.telemetry;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.brokkr.broker.support.FailureLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores telemetry rows in batches: sockets on any event loop queue rows (bounded per table, a
 * full queue drops and counts), and this verticle writes what is queued every {@link #FLUSH_MS}
 * ms, or as soon as a batch is full, as one multi-row insert per table ({@code unnest} of column
 * arrays), one insert in flight per table. Rows of a stack or agent deleted meanwhile are left
 * out by the insert itself; a batch the database refuses for another reason (a value PostgreSQL
 * cannot hold) is written again row by row, so one bad row costs only itself.
 */
public final class TelemetryWriter extends VerticleBase {
  static final int QUEUE_LIMIT = 50_000;
  static final int BATCH = 2_000;
  static final long FLUSH_MS = 25;
  private static final Logger LOG = LoggerFactory.getLogger(TelemetryWriter.class);

  static final String INSERT_EVENTS = """
      INSERT INTO agent_k8s_events (agent_id, stack_id, observed_at, reason, message, event_type, source, involved_object)
      SELECT u.a::uuid, u.s::uuid, u.o::timestamptz, u.r, u.m, u.t, u.src, u.io::jsonb
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
             AS u(a, s, o, r, m, t, src, io)
       WHERE EXISTS (SELECT 1 FROM stacks st WHERE st.id = u.s::uuid)
         AND EXISTS (SELECT 1 FROM agents ag WHERE ag.id = u.a::uuid)""";
  static final String INSERT_LOGS = """
      INSERT INTO agent_pod_logs (agent_id, stack_id, namespace, pod, container, ts, line)
      SELECT u.a::uuid, u.s::uuid, u.n, u.p, u.c, u.ts::timestamptz, u.l
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
             AS u(a, s, n, p, c, ts, l)
       WHERE EXISTS (SELECT 1 FROM stacks st WHERE st.id = u.s::uuid)
         AND EXISTS (SELECT 1 FROM agents ag WHERE ag.id = u.a::uuid)""";

  private final Supplier<Pool> pool;
  private final TelemetryCounters counters;
  private final Table events = new Table("agent_k8s_events", INSERT_EVENTS, 8);
  private final Table logs = new Table("agent_pod_logs", INSERT_LOGS, 7);
  private long timer = -1;

  public TelemetryWriter(Supplier<Pool> pool, TelemetryCounters counters) {
    this.pool = pool;
    this.counters = counters;
  }

  /** Queues a Kubernetes event's columns (in {@link #INSERT_EVENTS} order); false when the queue is full. */
  boolean event(String[] columns) {
    return events.offer(columns);
  }

  /** Queues a pod log line's columns (in {@link #INSERT_LOGS} order); false when the queue is full. */
  boolean logLine(String[] columns) {
    return logs.offer(columns);
  }

  /** Rows queued and not yet written, both tables. */
  public int queued() {
    return events.size.get() + logs.size.get();
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(FLUSH_MS, id -> {
      events.flush();
      logs.flush();
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.all(events.drain(), logs.drain());
  }

  private final class Table {
    private final String name;
    private final String insert;
    private final int width;
    private final ConcurrentLinkedQueue<String[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private boolean writing;

    Table(String name, String insert, int width) {
      this.name = name;
      this.insert = insert;
      this.width = width;
    }

    boolean offer(String[] columns) {
      if (size.incrementAndGet() > QUEUE_LIMIT) {
        size.decrementAndGet();
        return false;
      }
      queue.add(columns);
      return true;
    }

    /** Writes one batch unless one is in flight; a full batch is followed at once by the next. */
    void flush() {
      if (writing || size.get() == 0) {
        return;
      }
      List<String[]> batch = take();
      writing = true;
      write(batch).onComplete(ar -> {
        writing = false;
        if (size.get() >= BATCH) {
          flush();
        }
      });
    }

    /** Everything still queued (the broker is stopping). */
    Future<Void> drain() {
      if (size.get() == 0) {
        return Future.succeededFuture();
      }
      return write(take()).compose(v -> drain());
    }

    private List<String[]> take() {
      List<String[]> batch = new ArrayList<>(Math.min(size.get(), BATCH));
      String[] row;
      while (batch.size() < BATCH && (row = queue.poll()) != null) {
        size.decrementAndGet();
        batch.add(row);
      }
      return batch;
    }

    private Future<Void> write(List<String[]> batch) {
      if (batch.isEmpty()) {
        return Future.succeededFuture();
      }
      return insert(batch).recover(e -> {
        if (batch.size() == 1) {
          counters.writeFailed.increment();
          LOG.debug("telemetry row refused table={}: {}", name, FailureLog.oneLine(e.toString()));
          return Future.succeededFuture();
        }
        LOG.warn("telemetry batch refused table={} rows={}, writing its rows one by one: {}", name, batch.size(),
            FailureLog.oneLine(e.toString()));
        Future<Void> chain = Future.succeededFuture();
        for (String[] row : batch) {
          chain = chain.compose(v -> write(java.util.Collections.singletonList(row)));
        }
        return chain;
      });
    }

    private Future<Void> insert(List<String[]> batch) {
      Object[] arrays = new Object[width];
      for (int c = 0; c < width; c++) {
        String[] column = new String[batch.size()];
        for (int r = 0; r < batch.size(); r++) {
          column[r] = batch.get(r)[c];
        }
        arrays[c] = column;
      }
      return pool.get().preparedQuery(insert).execute(Tuple.wrap(arrays)).map(rows -> {
        counters.stored.add(rows.rowCount());
        int skipped = batch.size() - rows.rowCount();
        if (skipped > 0) {
          counters.writeFailed.add(skipped);
        }
        return null;
      });
    }
  }
}
