package org.brokkr.broker.http;

import io.vertx.core.AbstractVerticle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the heap a burst of large request bodies made the JVM commit: every
 * {@link #CHECK_MILLIS} it asks {@link BodyAdmission#compactIfIdle} and, when that says so, runs a
 * full collection on a worker thread. With the serial collector and the manifest's heap-free
 * ratios, that collection is what shrinks the committed heap back towards its initial size.
 */
public final class HeapCompactionVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(HeapCompactionVerticle.class);
  static final long CHECK_MILLIS = 5_000;

  private final BodyAdmission bodies;

  public HeapCompactionVerticle(BodyAdmission bodies) {
    this.bodies = bodies;
  }

  @Override
  public void start() {
    vertx.setPeriodic(CHECK_MILLIS, id -> {
      long released = bodies.releasedSinceCompaction();
      if (bodies.compactIfIdle(System.nanoTime())) {
        vertx.executeBlocking(HeapCompactionVerticle::compact, false).onSuccess(before -> {
          MemoryUsage after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
          LOG.info("heap compacted after large request bodies bodies_mib={} committed_mib_before={} committed_mib_after={} used_mib={}",
              released >> 20, before >> 20, after.getCommitted() >> 20, after.getUsed() >> 20);
        });
      }
    });
  }

  /** A full collection; returns the heap committed before it. */
  private static long compact() {
    long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    System.gc();
    return before;
  }
}
