package org.brokkr.agent.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.cluster.ClusterOps;

/** The agent's probe and metrics server: /healthz, /readyz, /health, /metrics. */
public final class AgentHttpVerticle extends VerticleBase {
  private static final String VERSION = "0.1.0";

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final ClusterOps cluster;
  private HttpServer server;

  public AgentHttpVerticle(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, ClusterOps cluster) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.cluster = cluster;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("OK"));
    router.get("/readyz").handler(this::readyz);
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4").end(metrics.render()));
    server = vertx.createHttpServer();
    return server.requestHandler(router).listen(config.healthPort(), config.healthHost());
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Ready when the Kubernetes API answers and the broker was reachable at the last contact. */
  private void readyz(RoutingContext ctx) {
    cluster.probe().onComplete(ar -> {
      String problem = ar.failed() ? "Kubernetes API unavailable"
          : !runtime.brokerReachable() ? "broker unreachable: " + runtime.brokerError() : null;
      ctx.response().setStatusCode(problem == null ? 200 : 503).putHeader("Content-Type", "text/plain")
          .end(problem == null ? "Ready" : problem);
    });
  }

  private void health(RoutingContext ctx) {
    cluster.probe().onComplete(ar -> {
      boolean k8s = ar.succeeded();
      boolean healthy = k8s && runtime.brokerReachable();
      JsonObject kubernetes = new JsonObject().put("connected", k8s);
      if (!k8s) {
        kubernetes.put("error", ar.cause().getMessage());
      }
      JsonObject brokerJson = new JsonObject().put("connected", runtime.brokerReachable());
      if (runtime.lastHeartbeat() != null) {
        brokerJson.put("last_heartbeat", runtime.lastHeartbeat().truncatedTo(ChronoUnit.MILLIS).toString());
      }
      // an addition to the reference's fields; the live socket never decides healthy or not (REST is the truth)
      brokerJson.put("ws_state", runtime.liveState().label());
      JsonObject body = new JsonObject()
          .put("status", healthy ? "healthy" : "unhealthy")
          .put("kubernetes", kubernetes)
          .put("broker", brokerJson)
          .put("uptime_seconds", ChronoUnit.SECONDS.between(runtime.startedAt, Instant.now()))
          .put("version", VERSION)
          .put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
      ctx.response().setStatusCode(healthy ? 200 : 503).putHeader("Content-Type", "application/json").end(body.encode());
    });
  }
}
