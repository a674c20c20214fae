package org.brokkr.broker;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.util.concurrent.atomic.AtomicInteger;
import org.brokkr.broker.http.HttpApiVerticle;

/** Deploys an HTTP verticle and records the port it actually bound (port 0 picks a free one). */
final class PortReporting extends VerticleBase {
  private final HttpApiVerticle http;
  private final AtomicInteger port;

  PortReporting(HttpApiVerticle http, AtomicInteger port) {
    this.http = http;
    this.port = port;
  }

  @Override
  public void init(Vertx vertx, Context context) {
    super.init(vertx, context);
    http.init(vertx, context);
  }

  @Override
  public Future<?> start() throws Exception {
    return http.start().onSuccess(v -> port.compareAndSet(0, http.actualPort()));
  }

  @Override
  public Future<?> stop() throws Exception {
    return http.stop();
  }
}
