package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.brokkr.broker.auth.PakAuthProvider;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.config.ReloadableSettings;
import org.brokkr.broker.deployments.CachedTargetStates;
import org.brokkr.broker.deployments.DeploymentObjectsVerticle;
import org.brokkr.broker.deployments.TargetStateCache;
import org.brokkr.broker.live.AgentSocketEndpoint;
import org.brokkr.broker.live.AgentSockets;
import org.brokkr.broker.live.LiveStreamEndpoint;
import org.brokkr.broker.telemetry.TelemetryIngest;
import org.brokkr.broker.ops.BrokerMetrics;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;

/**
 * The HTTP front: probes and docs, then {@code /api/v1} built from the contract. Runs one instance
 * per event loop; every instance shares the port. With a serving certificate every instance speaks
 * HTTPS only and follows the certificate's reloads.
 */
public final class HttpApiVerticle extends VerticleBase {
  private static final String SEARCH_AGENT = "search_agent";
  private static final String LIST_AGENTS = "list_agents";
  private static final Pattern CANONICAL_UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final BrokerConfig config;
  private final ApiContract contract;
  private final OpenAPIContract openApi;
  private final PakAuthProvider authProvider;
  private final Readiness readiness;
  private final TargetStateCache targetStates;
  private final Operations operations;
  private final BrokerMetrics metrics;
  private final Optional<HttpsServers> https;
  private final AgentSockets sockets;
  private final TelemetryIngest telemetry;
  private final BodyAdmission bodies;
  private LiveStreamEndpoint liveStreams;
  private HttpServer server;
  private ClientInfo clients;
  private AgentSocketEndpoint agentSockets;
  private ApiDispatcher dispatcher;
  private ErrorPages errors;
  private EndpointLabels endpoints;

  /** {@code openApi} is the router's copy of the contract, parsed once and shared by every instance (it is read-only). */
  public HttpApiVerticle(BrokerConfig config, ApiContract contract, OpenAPIContract openApi, Operations operations,
      PakAuthProvider authProvider, Readiness readiness, TargetStateCache targetStates, BrokerMetrics metrics,
      Optional<HttpsServers> https, AgentSockets sockets, TelemetryIngest telemetry, BodyAdmission bodies) {
    this.bodies = bodies;
    this.openApi = openApi;
    this.sockets = sockets;
    this.telemetry = telemetry;
    this.operations = operations;
    this.https = https;
    this.metrics = metrics;
    this.config = config;
    this.contract = contract;
    this.authProvider = authProvider;
    this.readiness = readiness;
    this.targetStates = targetStates;
  }

  @Override
  public Future<?> start() {
    clients = new ClientInfo(config.trustedProxies());
    agentSockets = new AgentSocketEndpoint(vertx, sockets, operations::owner, telemetry);
    liveStreams = new LiveStreamEndpoint(vertx, telemetry.streams(), telemetry.pool());
    dispatcher = new ApiDispatcher(vertx, operations, targetStates, readiness, clients, metrics.eventBus());
    errors = new ErrorPages(vertx, clients);
    endpoints = EndpointLabels.from(contract.json());
    RequestLog requests = new RequestLog(metrics.http(), config.pakFormat(), config.logFormat());
    Cors apiCors = Cors.configured(config.cors());
    Cors openCors = Cors.permissive();
    ReloadableSettings.subscribe(vertx, apiCors::reloaded);
    return Future.succeededFuture(apiRouter(openApi))
        .compose(api -> {
          Router root = Router.router(vertx);
          root.route().handler(requests);
          for (String open : new String[] {"/metrics", "/healthz", "/readyz"}) {
            root.route(open).handler(openCors);
          }
          root.get("/metrics").handler(this::metrics);
          ApiDocsPage.mount(root, vertx);
          root.get("/healthz").handler(ctx -> ctx.response().putHeader("Content-Type", "text/plain").end("OK"));
          root.get("/readyz").handler(this::readyz);
          root.get("/docs/openapi.yaml").handler(ctx -> ctx.response()
              .putHeader("Content-Type", "application/yaml").end(contract.yaml()));
          root.get("/docs/openapi.json").handler(ctx -> ctx.response()
              .putHeader("Content-Type", "application/json").end(contract.json().toBuffer()));
          // outermost on the API: a preflight is answered before readiness and authentication
          // the agent live channel: outside the contract, authenticated like the API
          root.get(AgentSocketEndpoint.PATH).handler(this::gateUntilStarted);
          root.get(AgentSocketEndpoint.PATH).handler(this::agentSocket);
          // the subscriber streams: outside the contract too, before the API's own routes
          root.get(LiveStreamEndpoint.STACK_PATH).handler(this::gateUntilStarted);
          root.get(LiveStreamEndpoint.STACK_PATH).handler(ctx -> {
            RequestLog.endpoint(ctx, LiveStreamEndpoint.STACK_PATH);
            liveStreams.handle(ctx, true, authProvider);
          });
          root.get(LiveStreamEndpoint.FLEET_PATH).handler(this::gateUntilStarted);
          root.get(LiveStreamEndpoint.FLEET_PATH).handler(ctx -> {
            RequestLog.endpoint(ctx, LiveStreamEndpoint.FLEET_PATH);
            liveStreams.handle(ctx, false, authProvider);
          });
          root.route("/api/v1/*").handler(apiCors);
          root.route("/api/v1/*").handler(this::gateUntilStarted);
          // before any body is read: large ones wait for room in the broker's budget, or are turned away
          root.route("/api/v1/*").handler(bodies::handle);
          root.route("/api/v1/*").handler(BodyHandler.create()
              .setBodyLimit(config.maxBodyBytes())
              .setHandleFileUploads(false)
              .setMergeFormAttributes(false));
          root.route("/api/v1/*").handler(new PathMethods(contract.json())::handle);
          root.post("/api/v1/stacks/:id/deployment-objects").handler(this::yamlDeploymentObject);
          // the hot path of every agent's poll, ahead of the contract's validation
          root.get("/api/v1/agents/:id/target-state").handler(this::cachedTargetState);
          root.route("/api/v1/*").subRouter(api);
          root.route().last().handler(ctx -> ctx.fail(404));
          root.route().failureHandler(errors::handle);
          HttpServerOptions options = new HttpServerOptions()
              .setMaxWebSocketFrameSize(AgentSocketEndpoint.MAX_FRAME_BYTES)
              .setMaxWebSocketMessageSize(AgentSocketEndpoint.MAX_MESSAGE_BYTES)
              .setWebSocketSubProtocols(List.of(LiveStreamEndpoint.SUBPROTOCOL))
              .setHost(config.host())
              .setPort(config.port())
              .setCompressionSupported(true)
              .setIdleTimeout(120);
          https.ifPresent(h -> h.configure(options));
          server = vertx.createHttpServer(options);
          return server.requestHandler(root).listen().onSuccess(s -> https.ifPresent(h -> h.add(s)));
        });
  }

  @Override
  public Future<?> stop() {
    if (server != null) {
      https.ifPresent(h -> h.remove(server));
    }
    return Future.succeededFuture();
  }

  /** The listening port (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Router apiRouter(OpenAPIContract openApi) {
    RouterBuilder builder = RouterBuilder.create(vertx, openApi, new LiteralParameters());
    for (String scheme : new String[] {"admin_pak", "agent_pak", "generator_pak"}) {
      builder.security(scheme).apiKeyHandler(APIKeyHandler.create(authProvider).header("Authorization"));
    }
    builder.getRoutes().forEach(route -> {
      String op = route.getOperation().getOperationId();
      ErrorPages.BodyError bodyError = ErrorPages.BodyError.of(route.getOperation().getExtensions());
      route.addHandler(ctx -> {
        String resolved = resolveTrailingSlash(ctx, op);
        RequestLog.endpoint(ctx, endpoints.of(resolved));
        dispatcher.dispatch(ctx, resolved, ApiDispatcher.caller(ctx));
      });
      route.addFailureHandler(ctx -> {
        RequestLog.endpoint(ctx, endpoints.of(resolveTrailingSlash(ctx, op)));
        errors.handle(ctx, bodyError);
      });
    });
    Router router = builder.createRouter();
    router.route().failureHandler(errors::handle);
    return router;
  }

  /** {@code GET /agents} and {@code GET /agents/} share one Vert.x route: the raw path decides. */
  private static String resolveTrailingSlash(RoutingContext ctx, String op) {
    if (op.equals(LIST_AGENTS) || op.equals(SEARCH_AGENT)) {
      return ctx.request().path().endsWith("/") ? SEARCH_AGENT : LIST_AGENTS;
    }
    return op;
  }

  private void gateUntilStarted(RoutingContext ctx) {
    if (readiness.isStarted()) {
      ctx.next();
    } else {
      ApiDispatcher.writeError(ctx, new ApiError(Failure.UNAVAILABLE, "not_ready", "the broker is starting"));
    }
  }

  /** Prometheus text; rendered on a worker, so a large scrape never holds an event loop. */
  private void metrics(RoutingContext ctx) {
    vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(ar.result());
    });
  }

  private void readyz(RoutingContext ctx) {
    readiness.check().onComplete(ar -> {
      boolean ok = ar.succeeded() && ar.result();
      ctx.response().setStatusCode(ok ? 200 : 503).putHeader("Content-Type", "text/plain")
          .end(ok ? "Ready" : readiness.isStarted() ? "database unavailable" : "starting");
    });
  }

  /**
   * An agent opens its live channel with its PAK ({@code Authorization: Bearer <pak>}): an unknown
   * or missing PAK is a 401 (audited like any other), a PAK of admin or a generator a 403, and a
   * request that is not a WebSocket upgrade a 400.
   */
  private void agentSocket(RoutingContext ctx) {
    RequestLog.endpoint(ctx, AgentSocketEndpoint.PATH);
    String header = ctx.request().getHeader("Authorization");
    if (header == null) {
      ctx.fail(401);
      return;
    }
    long generation = agentSockets.authGeneration();
    // the handshake is taken over after the lookup: until then the request must not be read on
    ctx.request().pause();
    authProvider.identify(header).onComplete(ar -> {
      if (ar.failed()) {
        ctx.request().resume();
        ctx.fail(ar.cause() instanceof HttpException he ? he.getStatusCode() : 401, ar.cause());
        return;
      }
      Identity caller = ar.result();
      if (caller.kind() != Identity.Kind.AGENT) {
        ctx.request().resume();
        ApiDispatcher.writeError(ctx, ApiError.forbidden("agent_pak_required", "only an agent PAK may open the live channel"));
        return;
      }
      if (!ctx.request().canUpgradeToWebSocket()) {
        ctx.request().resume();
        ApiDispatcher.writeError(ctx, ApiError.invalid("websocket_upgrade_required", "this endpoint speaks WebSocket only"));
        return;
      }
      String hash = Pak.hashOfPresented(header, config.pakFormat()).orElseThrow();
      agentSockets.upgrade(ctx.request(), caller.id(), hash, generation, clients.address(ctx.request()),
          ClientInfo.userAgent(ctx.request()));
    });
  }

  /**
   * An unchanged target state, answered from the cache before the contract's router, whose request
   * validation runs on a worker thread (every agent's poll is the broker's busiest request: 38,000
   * against 21,800 polls/s through the contract's route). Only a request the contract would certainly accept is
   * answered here: a PAK already in the authentication cache, a canonical UUID, at most one
   * {@code mode}, a caller allowed to read that agent and a cached state. Anything else goes on to
   * the contract's route, unchanged, which words every refusal and records every failure.
   */
  private void cachedTargetState(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    List<String> modes = ctx.queryParam("mode");
    Identity caller = id == null || modes.size() > 1 || !CANONICAL_UUID.matcher(id).matches() ? null
        : authProvider.cached(ctx.request().getHeader("Authorization"));
    ApiResponse cached = caller == null ? null : CachedTargetStates.answer(targetStates, caller, id,
        modes.isEmpty() ? null : modes.get(0), ctx.request().getHeader("If-None-Match"));
    if (cached == null) {
      ctx.next();
      return;
    }
    ctx.put(RequestLog.IDENTITY, caller);
    RequestLog.endpoint(ctx, endpoints.of(CachedTargetStates.OPERATION));
    ApiDispatcher.write(ctx, cached);
  }

  /**
   * Raw-YAML upload of a deployment object. The contract router validates JSON bodies only, so
   * the YAML media types are served here, with the same authentication and dispatch.
   */
  private void yamlDeploymentObject(RoutingContext ctx) {
    if (!DeploymentObjectsVerticle.isYaml(ctx.request().getHeader("Content-Type"))) {
      ctx.next();
      return;
    }
    RequestLog.endpoint(ctx, endpoints.of("create_deployment_object"));
    try {
      UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      ApiDispatcher.writeError(ctx, ApiError.invalid("invalid_path_parameter", "path parameter 'id' is not a UUID"));
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null) {
      ctx.fail(401);
      return;
    }
    authProvider.authenticate(new TokenCredentials(header)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause() instanceof HttpException he ? he.getStatusCode() : 401, ar.cause());
        return;
      }
      Identity caller = PakAuthProvider.identityOf(ar.result());
      dispatcher.dispatch(ctx, "create_deployment_object", caller);
    });
  }
}
