package org.brokkr.agent;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * A timer verticle of the agent: the first pass right after start, then one pass per interval,
 * each started only when the previous one has finished (a slow pass never overlaps the next).
 * Subclasses say what a pass does, how long to wait, and what to prepare at start.
 */
public abstract class PassTimer extends VerticleBase {
  private long timer = -1;
  private volatile boolean stopped;
  private volatile long passes;
  private boolean running;
  /** Asked for while a pass was running: one more pass right after it (many asks make one pass). */
  private boolean again;

  /** One pass; its failure is the pass's own business (log it there), the timer goes on. */
  protected abstract Future<?> pass();

  /** Milliseconds between the end of one pass and the start of the next. */
  protected abstract long intervalMillis();

  /** Built before the first pass (collaborators that need {@code vertx}). */
  protected void prepare() {}

  /** Closes what {@link #prepare()} built, when the verticle stops. */
  protected void release() {}

  @Override
  public final Future<?> start() {
    prepare();
    schedule(0);
    return Future.succeededFuture();
  }

  @Override
  public final Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    release();
    return Future.succeededFuture();
  }

  /** Passes completed since start (skipped ones included). */
  public final long passes() {
    return passes;
  }

  protected final boolean stopped() {
    return stopped;
  }

  /** A pass now rather than at the next tick (call on this verticle's context); the interval goes on from its end. */
  protected final void passNow() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    vertx.cancelTimer(timer);
    runPass();
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      timer = vertx.setTimer(Math.max(1, delayMs), id -> runPass());
    }
  }

  private void runPass() {
    running = true;
    Future<?> pass;
    try {
      pass = pass();
    } catch (RuntimeException e) {
      pass = Future.failedFuture(e);
    }
    pass.onComplete(ar -> {
      passes++;
      running = false;
      if (again && !stopped) {
        again = false;
        runPass();
      } else {
        schedule(intervalMillis());
      }
    });
  }
}
