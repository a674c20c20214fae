package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.brokkr.codecs.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterOps} on fabric8: its HTTP client runs on our own {@link Vertx}; its synchronous
 * DSL calls run on one worker executor so event loops never wait on the API server.
 */
public final class Fabric8ClusterOps implements ClusterOps, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fabric8ClusterOps.class);
  private final Vertx vertx;
  private final KubernetesClient client;
  private final ApiServerEndpoint endpoint;
  private final WorkerExecutor worker;
  private final RawApi raw;
  private final Optional<String> watchNamespace;
  private final RetryPolicy deleteRetry;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final Discovery discovery;
  private volatile boolean protocolLogged;

  private Fabric8ClusterOps(Vertx vertx, KubernetesClient client, ApiServerEndpoint endpoint, Optional<String> watchNamespace,
      RetryPolicy deleteRetry) {
    this.vertx = vertx;
    this.client = client;
    this.endpoint = endpoint;
    this.worker = vertx.createSharedWorkerExecutor("brokkr-k8s", 4);
    this.raw = new RawApi(client);
    this.discovery = new Discovery(raw, calls, vertx::getOrCreateContext);
    this.watchNamespace = watchNamespace;
    this.deleteRetry = deleteRetry;
  }

  /**
   * Blocking (reads the kubeconfig): call at startup, off the event loop. Without a kubeconfig
   * path the client configures itself (kubeconfig from its usual places, else the pod's service
   * account). A kubeconfig named by the setting that cannot be used is a {@link ConfigException}.
   */
  public static Fabric8ClusterOps connect(Vertx vertx, Optional<String> kubeconfigPath, Optional<String> watchNamespace,
      RetryPolicy deleteRetry, Map<String, String> env) {
    Config config = kubeconfigPath.isPresent() ? kubeconfig(kubeconfigPath.get()) : autoConfigured();
    ApiServerEndpoint endpoint = ApiServerEndpoint.detect(config.getMasterUrl(), kubeconfigPath,
        config.getFile() == null ? null : config.getFile().getPath(), env);
    config.setNamespace(watchNamespace.orElse("default"));
    try {
      return create(vertx, config, endpoint, watchNamespace, deleteRetry);
    } catch (KubernetesClientException e) {
      // e.g. a client certificate file the kubeconfig names is missing
      throw kubeconfigPath.isPresent()
          ? KubeconfigFile.problem("kubeconfig not usable", kubeconfigPath.get(), ApiServerEndpoint.rootCause(e))
          : new ConfigException("Kubernetes client configuration not usable (" + endpoint.source() + "): "
              + ApiServerEndpoint.rootCause(e));
    }
  }

  private static Config autoConfigured() {
    try {
      return Config.autoConfigure(null);
    } catch (KubernetesClientException e) {
      // e.g. a malformed ~/.kube/config
      throw new ConfigException("Kubernetes client configuration failed (KUBECONFIG, ~/.kube/config or the service account): "
          + ApiServerEndpoint.rootCause(e));
    }
  }

  private static Config kubeconfig(String path) {
    String content = KubeconfigFile.read(path);
    Config config;
    try {
      config = Config.fromKubeconfig(null, content, path);
    } catch (KubernetesClientException | IllegalArgumentException e) {
      // YAML that does not map onto a kubeconfig surfaces as either, depending on its shape
      throw KubeconfigFile.problem("not a kubeconfig", path, ApiServerEndpoint.rootCause(e));
    }
    if (config.getCurrentContext() == null) {
      throw KubeconfigFile.problem("not a kubeconfig", path, "it names no current-context");
    }
    return config;
  }

  /** A client for a configuration handed over in code (tests): failures name the address only. */
  public static Fabric8ClusterOps fromConfig(Vertx vertx, Config config, Optional<String> watchNamespace, RetryPolicy deleteRetry) {
    return create(vertx, config, new ApiServerEndpoint(config.getMasterUrl(), ApiServerEndpoint.Origin.GIVEN, null),
        watchNamespace, deleteRetry);
  }

  private static Fabric8ClusterOps create(Vertx vertx, Config config, ApiServerEndpoint endpoint, Optional<String> watchNamespace,
      RetryPolicy deleteRetry) {
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new ApiServerHttpClientFactory(vertx, config))
        .build();
    return new Fabric8ClusterOps(vertx, client, endpoint, watchNamespace, deleteRetry);
  }

  /** Asynchronous; the first answer also logs which HTTP version the connection speaks. */
  @Override
  public Future<Long> probe() {
    calls.incrementAndGet();
    long started = System.nanoTime();
    return raw.getJson("/version", vertx.getOrCreateContext())
        .map(version -> (System.nanoTime() - started) / 1_000_000)
        .onSuccess(ms -> {
          if (!protocolLogged) {
            protocolLogged = true;
            // over plain http there is nothing to negotiate (and nothing to ask)
            if ("https".equals(client.getMasterUrl().getProtocol())) {
              protocol().onSuccess(p -> LOG.info("API server {} speaks {}", client.getMasterUrl(), p));
            } else {
              LOG.info("API server {} speaks {}", client.getMasterUrl(), HttpVersion.HTTP_1_1);
            }
          }
        })
        .recover(err -> Future.failedFuture(endpoint.failure(err)));
  }

  /**
   * The HTTP version of the client's connection to the API server: {@code HTTP_2} when the server
   * took h2 through ALPN, else {@code HTTP_1_1}. Asks {@code /version} on the same pool.
   */
  public Future<HttpVersion> protocol() {
    if (!(client.getHttpClient() instanceof Vertx5HttpClient<?> vertxClient)) {
      return Future.failedFuture(new IllegalStateException("not fabric8's Vert.x 5 client"));
    }
    String url = client.getMasterUrl().toString().replaceAll("/+$", "") + "/version";
    return vertxClient.getHttpClient().request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
        .compose(request -> request.send())
        .compose(response -> response.body().map(body -> response.version()));
  }

  @Override
  public Future<Boolean> namespaceExists(String name) {
    return blocking(() -> {
      calls.incrementAndGet();
      return client.namespaces().withName(name).get() != null;
    });
  }

  /**
   * An asynchronous request (see {@link RawApi}): no worker thread is taken, so the reconciler's
   * window alone bounds how many are in flight. The kind's plural and scope come from discovery of
   * its group version (see {@link Discovery}); a kind the cluster does not serve (yet: a CRD applied a moment ago)
   * fails with status 404 and {@link #KIND_NOT_SERVED}.
   */
  @Override
  public Future<Void> apply(Map<String, Object> manifest, String fieldManager, boolean dryRun) {
    Context context = vertx.getOrCreateContext();
    if (!(manifest.get("apiVersion") instanceof String apiVersion) || !(manifest.get("kind") instanceof String kind)
        || !(manifest.get("metadata") instanceof Map<?, ?> meta) || !(meta.get("name") instanceof String name)) {
      return Future.failedFuture(new ClusterCallException(0, "Invalid", "an object needs apiVersion, kind and metadata.name", null));
    }
    String namespace = meta.get("namespace") instanceof String ns && !ns.isBlank() ? ns : null;
    return requireServed(apiVersion, kind).compose(rdc -> {
      calls.incrementAndGet();
      return raw.apply(rdc, namespaceOr(namespace), name, manifest, fieldManager, dryRun, context);
    }).onSuccess(v -> {
      if (!dryRun) {
        writes.incrementAndGet();
        if ("CustomResourceDefinition".equals(kind)) {
          discovery.kindsChanged();
        }
      }
    });
  }

  /** Asynchronous like {@link #apply}; an object of a kind the cluster no longer serves is gone already. */
  @Override
  public Future<Void> delete(ObjectRef ref) {
    Context context = vertx.getOrCreateContext();
    return deleteRetry.run(vertx, () -> discovery.kind(ref.apiVersion(), ref.kind()).compose(kind -> {
      if (kind.isEmpty()) {
        return Future.succeededFuture();
      }
      calls.incrementAndGet();
      return raw.delete(kind.get(), ref.namespace(), ref.name(), context).onSuccess(v -> {
        writes.incrementAndGet();
        if ("CustomResourceDefinition".equals(ref.kind())) {
          discovery.kindsChanged();
        }
      });
    }));
  }

  /** Kinds listed at once when looking for owned objects. */
  private static final int LIST_LANES = 8;

  /**
   * Discovery (cached), then one metadata-only list per kind, {@value #LIST_LANES} at a time. A kind
   * that cannot be listed (RBAC) is skipped; only when none can be is it an error.
   */
  @Override
  public Future<List<LiveObject>> listAnnotated(String key, String value) {
    Context context = vertx.getOrCreateContext();
    return discovery.listable().compose(kinds -> {
      // by the kind's place in discovery, so the result is in the same order however the lists interleave
      List<List<LiveObject>> found = new ArrayList<>(java.util.Collections.nCopies(kinds.size(), List.<LiveObject>of()));
      List<Throwable> failures = new ArrayList<>();
      List<Future<Void>> lanes = new ArrayList<>();
      for (int lane = 0; lane < LIST_LANES; lane++) {
        List<Integer> mine = new ArrayList<>();
        for (int i = lane; i < kinds.size(); i += LIST_LANES) {
          mine.add(i);
        }
        lanes.add(InTurn.each(mine, index -> {
          ResourceDefinitionContext kind = kinds.get(index);
          calls.incrementAndGet();
          String namespace = kind.isNamespaceScoped() ? watchNamespace.orElse(null) : null;
          return raw.listMetadata(kind, namespace, context).map(items -> {
            List<LiveObject> matching = new ArrayList<>();
            for (LiveObject item : items) {
              if (value.equals(item.annotations().get(key))) {
                matching.add(item);
              }
            }
            found.set(index, matching);
            return (Void) null;
          }).otherwise(err -> {
            failures.add(err);
            return null;
          });
        }));
      }
      return Future.join(lanes).transform(ar -> {
        if (!kinds.isEmpty() && failures.size() == kinds.size()) {
          return Future.failedFuture(failures.get(failures.size() - 1));
        }
        List<LiveObject> all = new ArrayList<>();
        found.forEach(all::addAll);
        return Future.succeededFuture(all);
      });
    });
  }

  // --- health and diagnostics: reads of pods, of their owners, of events and of container logs ---

  @Override
  public Future<List<JsonObject>> listPods() {
    return blocking(() -> {
      calls.incrementAndGet();
      var pods = watchNamespace.isPresent()
          ? client.pods().inNamespace(watchNamespace.get()).list()
          : client.pods().inAnyNamespace().list();
      return json(pods.getItems());
    });
  }

  @Override
  public Future<Optional<JsonObject>> getObject(ObjectRef ref) {
    return blocking(() -> {
      calls.incrementAndGet();
      var kind = client.genericKubernetesResources(ref.apiVersion(), ref.kind());
      GenericKubernetesResource found = ref.namespace() != null
          ? kind.inNamespace(ref.namespace()).withName(ref.name()).get()
          : kind.withName(ref.name()).get();
      return Optional.ofNullable(found).map(r -> new JsonObject(client.getKubernetesSerialization().asJson(r)));
    });
  }

  @Override
  public Future<List<JsonObject>> listEvents(String namespace) {
    return blocking(() -> {
      calls.incrementAndGet();
      return json(client.v1().events().inNamespace(namespace).list().getItems());
    });
  }

  @Override
  public Future<String> podLogTail(String namespace, String pod, String container, int lines) {
    // a plain GET of the log subresource: the DSL's getLog() first watches the pod until it is ready
    String path = "/api/v1/namespaces/" + namespace + "/pods/" + pod + "/log?container=" + container + "&tailLines=" + lines;
    return blocking(() -> {
      calls.incrementAndGet();
      String text = client.raw(path, "GET", null);
      if (text == null) {
        throw new ClusterCallException(404, "NotFound", "pod " + namespace + "/" + pod + " not found", null);
      }
      return text;
    });
  }

  private List<JsonObject> json(List<? extends HasMetadata> items) {
    var serialization = client.getKubernetesSerialization();
    List<JsonObject> out = new ArrayList<>(items.size());
    for (HasMetadata item : items) {
      out.add(new JsonObject(serialization.asJson(item)));
    }
    return out;
  }

  // --- end of health and diagnostics ---

  // --- telemetry: watches and log follows (ClusterStreams) ---

  @Override
  public Future<Stream> watchEvents(Consumer<JsonObject> onEvent, Consumer<Throwable> onEnded) {
    return blocking(() -> new ClusterStreams(client, watchNamespace).events(onEvent, onEnded));
  }

  @Override
  public Future<Stream> watchPods(BiConsumer<String, JsonObject> onPod, Consumer<Throwable> onEnded) {
    return blocking(() -> new ClusterStreams(client, watchNamespace).pods(onPod, onEnded));
  }

  @Override
  public Future<Stream> followLog(String namespace, String pod, String container, Consumer<String> onLine,
      Consumer<Throwable> onEnded) {
    return blocking(() -> new ClusterStreams(client, watchNamespace).log(namespace, pod, container, onLine, onEnded));
  }

  // --- end of telemetry ---

  // --- work orders: serving check, create, status reads ---

  /** A kind not served is asked about again on every call, so a CRD installed meanwhile is seen at once. */
  @Override
  public Future<Boolean> serves(String apiVersion, String kind) {
    return discovery.kind(apiVersion, kind).map(Optional::isPresent);
  }

  @Override
  public Future<ObjectRef> create(Map<String, Object> manifest) {
    GenericKubernetesResource resource = client.getKubernetesSerialization()
        .convertValue(manifest, GenericKubernetesResource.class);
    return requireServed(resource.getApiVersion(), resource.getKind()).compose(kind -> blocking(() -> {
      var op = client.genericKubernetesResources(kind);
      calls.incrementAndGet();
      GenericKubernetesResource created = kind.isNamespaceScoped()
          ? op.inNamespace(namespaceOr(resource.getMetadata().getNamespace())).resource(resource).create()
          : op.resource(resource).create();
      writes.incrementAndGet();
      return new ObjectRef(resource.getApiVersion(), resource.getKind(), created.getMetadata().getNamespace(),
          created.getMetadata().getName());
    }));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Future<Optional<Map<String, Object>>> status(ObjectRef ref) {
    return requireServed(ref.apiVersion(), ref.kind()).compose(kind -> blocking(() -> {
      var op = client.genericKubernetesResources(kind);
      calls.incrementAndGet();
      GenericKubernetesResource found = kind.isNamespaceScoped()
          ? op.inNamespace(namespaceOr(ref.namespace())).withName(ref.name()).get()
          : op.withName(ref.name()).get();
      if (found == null) {
        return Optional.empty();
      }
      Object status = found.getAdditionalProperties().get("status");
      return Optional.of(status instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of());
    }));
  }

  private String namespaceOr(String namespace) {
    return namespace == null || namespace.isBlank() ? client.getNamespace() : namespace;
  }

  private Future<ResourceDefinitionContext> requireServed(String apiVersion, String kind) {
    return discovery.kind(apiVersion, kind).compose(served -> served.isPresent() ? Future.succeededFuture(served.get())
        : Future.failedFuture(new ClusterCallException(404, KIND_NOT_SERVED, "the cluster does not serve " + kind + " in "
            + apiVersion + " (is its CustomResourceDefinition installed?)", null)));
  }

  // --- end work orders ---

  private <T> Future<T> blocking(Callable<T> call) {
    return worker.executeBlocking(() -> {
      try {
        return call.call();
      } catch (KubernetesClientException e) {
        throw convert(e);
      }
    }, false);
  }

  /** The API server's own words when it answered; otherwise the root cause, not fabric8's "An error has occurred." */
  private static ClusterCallException convert(KubernetesClientException e) {
    String reason = e.getStatus() == null ? null : e.getStatus().getReason();
    String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
        : e.getCode() > 0 ? e.getMessage() : ApiServerEndpoint.rootCause(e);
    return new ClusterCallException(Math.max(0, e.getCode()), reason, message, e);
  }

  @Override
  public long writeCount() {
    return writes.get();
  }

  @Override
  public long callCount() {
    return calls.get();
  }

  @Override
  public void close() {
    worker.close();
    client.close();
  }
}
