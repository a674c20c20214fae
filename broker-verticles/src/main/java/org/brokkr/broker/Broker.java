package org.brokkr.broker;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.brokkr.broker.audit.AuthFailuresVerticle;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.auth.PakAuthProvider;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.db.EmbeddedDatabase;
import org.brokkr.broker.db.Migrations;
import org.brokkr.broker.db.SchemaCheck;
import org.brokkr.broker.diagnostics.DiagnosticCleanupVerticle;
import org.brokkr.broker.deployments.TargetStateCache;
import org.brokkr.broker.http.ApiContract;
import org.brokkr.broker.http.BodyAdmission;
import org.brokkr.broker.http.CertificateReloadVerticle;
import org.brokkr.broker.http.HeapCompactionVerticle;
import org.brokkr.broker.http.HttpApiVerticle;
import org.brokkr.broker.http.HttpsServers;
import org.brokkr.broker.http.Operations;
import org.brokkr.broker.http.Readiness;
import org.brokkr.broker.http.ServingCertificate;
import org.brokkr.broker.live.AgentPushes;
import org.brokkr.broker.live.AgentSocketLeaseVerticle;
import org.brokkr.broker.live.AgentSockets;
import org.brokkr.broker.live.PushCounters;
import org.brokkr.broker.live.FleetUpdatesVerticle;
import org.brokkr.broker.live.LiveRelayVerticle;
import org.brokkr.broker.live.LiveStreams;
import org.brokkr.broker.telemetry.StackGrants;
import org.brokkr.broker.telemetry.TelemetryCounters;
import org.brokkr.broker.telemetry.TelemetryIngest;
import org.brokkr.broker.telemetry.TelemetryWriter;
import org.brokkr.broker.ops.BrokerMetrics;
import org.brokkr.broker.ops.ConfigMapWatchVerticle;
import org.brokkr.broker.ops.ConfigReloadVerticle;
import org.brokkr.broker.ops.StateGaugesVerticle;
import org.brokkr.broker.support.Channels;
import org.brokkr.broker.support.NotificationHub;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.broker.workorders.WorkOrderMaintenanceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.LocalCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker process on a {@link Vertx}: HTTP first (it answers probes with 503 while starting),
 * then database, migrations, bootstrap, identity and resource verticles; ready, then the
 * timer-driven background workers.
 */
public final class Broker {
  private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

  private final Vertx vertx;
  private final BrokerConfig config;
  private final Readiness readiness = new Readiness();
  private final AtomicInteger port = new AtomicInteger();
  // written from whichever context completes a deployment; read by stop()
  private final List<String> deployments = new CopyOnWriteArrayList<>();
  private volatile Future<Void> background = Future.succeededFuture();
  private EmbeddedDatabase embedded;
  private Pool pool;
  private PgConnectOptions listenOptions;
  private Channels channels;
  private AgentSockets sockets;

  private Broker(Vertx vertx, BrokerConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static Future<Broker> start(Vertx vertx, BrokerConfig config) {
    return start(vertx, config, StartupPhases.sinceNow());
  }

  /** As {@link #start(Vertx, BrokerConfig)}, adding the broker's own phases to {@code phases}. */
  public static Future<Broker> start(Vertx vertx, BrokerConfig config, StartupPhases phases) {
    Broker broker = new Broker(vertx, config);
    return broker.boot(phases).map(broker);
  }

  /** What the HTTP front and the verticles share, made before anything is deployed. */
  private record Wiring(AuthCache cache, TargetStateCache targetStates, BrokerMetrics metrics, PakAuthProvider provider,
      AgentSockets sockets, LiveStreams streams, LiveRelayVerticle relay, TelemetryIngest telemetry, TelemetryWriter telemetryWriter,
      BodyAdmission bodies, List<Supplier<ResourceVerticle>> resources, Operations operations) {}

  private Wiring wire() {
    LocalCodec.registerAll(vertx.eventBus());
    AuthCache cache = new AuthCache(config.authCacheTtlSeconds(), config.authCacheMaxEntries());
    TargetStateCache targetStates = new TargetStateCache(config.targetStateCacheTtlMillis(), config.authCacheMaxEntries());
    BrokerMetrics metrics = BrokerMetrics.of(vertx);
    metrics.cache("target_state", targetStates, TargetStateCache::hits, TargetStateCache::misses, TargetStateCache::size);
    metrics.adminPakHash(config.adminPakHash());
    PakAuthProvider provider = new PakAuthProvider(vertx, cache, config.pakFormat(), metrics.eventBus());
    sockets = new AgentSockets(cache, () -> pool);
    for (String lane : PushCounters.lanes()) {
      metrics.counter("brokkr_ws_push_frames", "Frames to agent sockets by lane: queued for writing, or dropped (lane full)",
          sockets.counters(), c -> c.queued(lane), "lane", lane, "result", "queued");
      metrics.counter("brokkr_ws_push_frames", "Frames to agent sockets by lane: queued for writing, or dropped (lane full)",
          sockets.counters(), c -> c.dropped(lane), "lane", lane, "result", "dropped");
    }
    LiveStreams streams = new LiveStreams();
    TelemetryCounters telemetryCounters = new TelemetryCounters();
    TelemetryWriter telemetryWriter = new TelemetryWriter(() -> pool, telemetryCounters);
    TelemetryIngest telemetry = new TelemetryIngest(() -> pool, telemetryCounters, telemetryWriter,
        new StackGrants(targetStates), streams);
    metrics.telemetry(telemetryCounters, telemetryWriter::queued);
    BodyAdmission bodies = new BodyAdmission(config.largeBodyBudgetBytes() > 0 ? config.largeBodyBudgetBytes()
        : BodyAdmission.defaultBudget(), config.maxBodyBytes());
    metrics.counter("brokkr_http_large_bodies_refused", "Large request bodies turned away with 503 server_busy (body budget full)",
        bodies, BodyAdmission::refused);
    metrics.counter("brokkr_http_heap_compactions", "Full collections asked for after a burst of large request bodies, to give the heap back",
        bodies, BodyAdmission::compactions);
    List<Supplier<ResourceVerticle>> resources = ResourceCatalog.verticles(config, () -> pool, cache, targetStates, sockets,
        streams);
    return new Wiring(cache, targetStates, metrics, provider, sockets, streams, new LiveRelayVerticle(() -> pool, streams),
        telemetry, telemetryWriter, bodies, resources,
        ResourceCatalog.operations(resources));
  }

  /**
   * The contract (parsed on a worker, resolved once: every HTTP instance builds its router from
   * this one copy), then the HTTP instances listening; they answer 503 until the broker is ready.
   */
  private Future<Void> serveHttp(Wiring w, Optional<HttpsServers> https, StartupPhases phases) {
    return vertx.executeBlocking(ApiContract::load, false)
        .compose(contract -> contract.resolveForRouter(vertx).compose(openApi -> {
          phases.end("contract");
          return vertx.deployVerticle(() -> new PortReporting(new HttpApiVerticle(config, contract, openApi, w.operations(),
              w.provider(), readiness, w.targetStates(), w.metrics(), https, w.sockets(), w.telemetry(), w.bodies()), port),
              new DeploymentOptions().setInstances(config.httpInstances()));
        }))
        .onSuccess(deployments::add)
        .compose(id -> watchCertificate(https))
        .onSuccess(v -> {
          phases.end("listening");
          LOG.info("listening on {}://{}:{} (not ready until startup completes)", config.tls().enabled() ? "https" : "http",
              config.host(), port.get());
        });
  }

  /** The database, its pool and a current schema: independent of the HTTP front, so both proceed at once. */
  private Future<DatabaseTarget> schema(StartupPhases phases) {
    return database().compose(target -> {
      pool = PgBuilder.pool()
          // waiting longer than 5 s for a connection answers 503 rather than holding the caller
          .with(new PoolOptions().setMaxSize(config.databaseMaxConnections()).setShared(false)
              .setConnectionTimeout(5).setConnectionTimeoutUnit(TimeUnit.SECONDS))
          // and a database that does not answer a connection attempt is reported within 5 s
          .with(new NetClientOptions().setConnectTimeout(5_000))
          .connectingTo(target.connectOptions())
          .using(vertx)
          .build();
      return migrate(target).onSuccess(v -> phases.end("schema_current"));
    });
  }

  private Future<Void> boot(StartupPhases phases) {
    long started = System.nanoTime();
    Wiring w = wire();
    phases.end("wiring");
    // a broken serving certificate stops startup before anything listens or touches the database
    return servingCertificate().compose(https -> {
      Future<Void> front = serveHttp(w, https, phases);
      Future<DatabaseTarget> schema = schema(phases);
      return Future.all(front, schema)
          // a failed half still waits for the other, so nothing is left starting behind a failed start
          .recover(e -> Future.join(front, schema).transform(x -> Future.failedFuture(e)))
          .map(x -> schema.result());
    })
        .compose(target -> Bootstrap.run(vertx, pool, config).map(target).onSuccess(v -> phases.end("bootstrap")))
        // one LISTEN connection per broker; resource verticles run on every event loop
        // the schema's notification channels, named by the database itself
        .compose(target -> Channels.resolve(pool).map(resolved -> {
          channels = resolved;
          return target;
        }))
        .compose(target -> {
          // every feature that hears other replicas' changes subscribes here, before the hub listens
          NotificationHub hub = new NotificationHub(target.connectOptions())
              .subscribe(channels.invalidate(), w.cache()::invalidate, up -> w.cache().invalidate("*"))
              .subscribe(channels.targetState(), w.targetStates()::changed, w.targetStates()::listening)
              // another replica reloaded its configuration: the configuration's owner decides what to do
              .subscribe(channels.config(), payload -> vertx.eventBus().publish(Addresses.CONFIG_PEER_RELOADED, payload))
              // pushes to the agents whose sockets this replica holds, whichever replica made the change
              .subscribe(channels.push(), new AgentPushes(w.sockets(), () -> pool)::notified)
              // live subscriber frames that agents sent to other replicas
              .subscribe(channels.live(), w.relay()::received);
          return vertx.deployVerticle(hub)
              .onSuccess(id -> listenOptions = target.connectOptions())
              .onSuccess(deployments::add);
        })
        // the runtime settings' owner comes before everything that subscribes to their changes
        .compose(v -> vertx.deployVerticle(new ConfigReloadVerticle(config, pool)).onSuccess(deployments::add).<Void>mapEmpty())
        .compose(v -> config.source().configMap().isEmpty() ? Future.<Void>succeededFuture()
            : vertx.deployVerticle(new ConfigMapWatchVerticle(config.source())).onSuccess(deployments::add).<Void>mapEmpty())
        .onSuccess(v -> phases.end("listener_and_settings"))
        .compose(v -> deployAll(w.resources()))
        .compose(v -> vertx.deployVerticle(new AgentSocketLeaseVerticle(w.sockets())).onSuccess(deployments::add).<Void>mapEmpty())
        // telemetry rows are written in batches; the fleet's live subscribers are kept up to date
        .compose(v -> vertx.deployVerticle(w.telemetryWriter()).onSuccess(deployments::add).<Void>mapEmpty())
        .compose(v -> vertx.deployVerticle(new FleetUpdatesVerticle(pool, w.streams(), FleetUpdatesVerticle.SWEEP_MILLIS))
            .onSuccess(deployments::add).<Void>mapEmpty())
        // live frames reach the subscribers of every replica
        .compose(v -> vertx.deployVerticle(w.relay())
            .onSuccess(deployments::add).<Void>mapEmpty())
        .compose(v -> vertx.deployVerticle(new AuthFailuresVerticle(pool)).onSuccess(deployments::add).<Void>mapEmpty())
        .compose(v -> {
          phases.end("resource_verticles");
          // everything the API needs is up; the timer-driven workers below serve no request, so
          // they follow the readiness instead of delaying it (start() still completes after them)
          readiness.started(vertx, pool);
          LOG.info("broker ready port={} startup_ms={}", port.get(), (System.nanoTime() - started) / 1_000_000);
          phases.end("ready");
          phases.summarize();
          background = backgroundWorkers(w.metrics(), w.bodies());
          return background;
        })
        .onSuccess(v -> phases.end("background_workers"));
  }

  /**
   * A start without a database, for the class-data archive made at build time: the classes of
   * configuration, contract, routers, codecs, HTTP serving and the database client are loaded
   * (and a few requests answered), then everything is closed again.
   */
  static Future<Void> train(Vertx vertx, BrokerConfig config) {
    Broker broker = new Broker(vertx, config);
    StartupPhases phases = StartupPhases.sinceNow();
    return broker.serveHttp(broker.wire(), Optional.empty(), phases)
        .compose(v -> CdsTraining.requests(vertx, broker.port()))
        .compose(v -> PgBuilder.pool().connectingTo(DatabaseTarget.fromUrl("postgres://training@127.0.0.1:1/training",
            Optional.empty()).connectOptions()).using(vertx).build().close())
        .compose(v -> broker.stop());
  }

  /** The timer-driven workers: maintenance, cleanups, the event outbox and its deliveries, the state gauges. */
  private Future<Void> backgroundWorkers(BrokerMetrics metrics, BodyAdmission bodies) {
    return vertx.deployVerticle(new WorkOrderMaintenanceVerticle(pool, config.workOrderMaintenanceIntervalMillis()))
        .onSuccess(deployments::add).<Void>mapEmpty()
        .compose(v -> vertx.deployVerticle(new DiagnosticCleanupVerticle(pool, config.diagnosticCleanupIntervalSeconds(),
            config.diagnosticMaxAgeHours())).onSuccess(deployments::add).<Void>mapEmpty())
        // events: outbox -> webhook deliveries -> receivers, and the retention sweeps
        .compose(v -> deployEach(BackgroundWorkers.of(config, pool, listenOptions, channels)))
        .compose(v -> vertx.deployVerticle(new StateGaugesVerticle(pool, metrics, config.metricsRefreshIntervalMillis()))
            .onSuccess(deployments::add).<Void>mapEmpty())
        .compose(v -> vertx.deployVerticle(new HeapCompactionVerticle(bodies)).onSuccess(deployments::add).<Void>mapEmpty());
  }

  /** Flyway only when the schema is not already exactly the packaged one (checked without loading Flyway). */
  private Future<DatabaseTarget> migrate(DatabaseTarget target) {
    return SchemaCheck.isCurrent(vertx, pool, target.schema()).compose(current -> {
      if (current) {
        LOG.info("database schema is current; migrations skipped");
        return Future.succeededFuture(target);
      }
      return vertx.executeBlocking(() -> Migrations.migrate(target)).map(n -> target);
    });
  }

  /** The HTTPS pair when TLS is configured; an unreadable or broken pair stops startup here, before anything listens. */
  private Future<Optional<HttpsServers>> servingCertificate() {
    if (!config.tls().enabled()) {
      return Future.succeededFuture(Optional.empty());
    }
    return ServingCertificate.load(vertx, config.tls()).map(certificate -> {
      LOG.info("serving HTTPS cert_file={} key_file={} {}", config.tls().certFile().get(), config.tls().keyFile().get(),
          certificate.describe());
      if (certificate.expired(Instant.now())) {
        LOG.warn("the HTTPS certificate has expired; clients will refuse it until it is replaced");
      }
      return Optional.of(new HttpsServers(certificate));
    });
  }

  private Future<Void> watchCertificate(Optional<HttpsServers> https) {
    if (https.isEmpty() || config.tls().reloadIntervalSeconds() == 0) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new CertificateReloadVerticle(config.tls(), https.get())).onSuccess(deployments::add).mapEmpty();
  }

  private Future<DatabaseTarget> database() {
    if (config.databaseUrl().isPresent()) {
      DatabaseTarget target = DatabaseTarget.fromUrl(config.databaseUrl().get(), config.databaseSchema());
      LOG.info("using database {}", target.describe());
      return Future.succeededFuture(target);
    }
    return vertx.executeBlocking(() -> {
      embedded = EmbeddedDatabase.start(Path.of(config.embeddedDataDir()), config.databaseSchema());
      return embedded.target();
    });
  }

  private Future<Void> deployAll(List<Supplier<ResourceVerticle>> verticles) {
    Future<Void> chain = Future.succeededFuture();
    for (Supplier<ResourceVerticle> v : verticles) {
      chain = chain.compose(x -> deploy(v, config.httpInstances()));
    }
    return chain;
  }

  private Future<Void> deployEach(List<Deployable> verticles) {
    Future<Void> chain = Future.succeededFuture();
    for (Deployable v : verticles) {
      chain = chain.compose(x -> vertx.deployVerticle(v).onSuccess(deployments::add).mapEmpty());
    }
    return chain;
  }

  private Future<Void> deploy(Supplier<ResourceVerticle> verticle, int instances) {
    return vertx.deployVerticle(verticle::get, new DeploymentOptions().setInstances(instances))
        .onSuccess(deployments::add)
        .mapEmpty();
  }

  public int port() {
    return port.get();
  }

  public Pool pool() {
    return pool;
  }

  /** This replica's open agent sockets. */
  public AgentSockets sockets() {
    return sockets;
  }

  public Future<Void> stop() {
    readiness.stop();
    // the background workers may still be deploying: stop after they are all known
    Future<Void> chain = background.<Void>mapEmpty().otherwiseEmpty();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return chain
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close())
        .compose(v -> embedded == null ? Future.<Void>succeededFuture() : vertx.executeBlocking(() -> {
          embedded.close();
          return null;
        }));
  }
}
