package org.brokkr.broker.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;

/**
 * Vert.x for tests. BlockHound catches blocking calls themselves, so the wall-clock blocked-thread
 * checker is turned down until it never fires: on a busy machine it only measured the machine.
 */
public final class TestVertx {
  private TestVertx() {
  }

  public static VertxOptions options() {
    return new VertxOptions()
        .setBlockedThreadCheckInterval(1).setBlockedThreadCheckIntervalUnit(TimeUnit.HOURS)
        .setMaxEventLoopExecuteTime(1).setMaxEventLoopExecuteTimeUnit(TimeUnit.HOURS)
        .setMaxWorkerExecuteTime(1).setMaxWorkerExecuteTimeUnit(TimeUnit.HOURS);
  }

  public static Vertx create() {
    return Vertx.vertx(options());
  }
}
