package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.brokkr.codecs.config.ConfigException;

/**
 * {@link ClusterOps} on fabric8: its HTTP client runs on our own {@link Vertx}; its synchronous
 * DSL calls run on one worker executor so event loops never wait on the API server.
 */
public final class Fabric8ClusterOps implements ClusterOps, AutoCloseable {
  /** Kinds never listed when looking for owned objects: high-volume and never applied by us. */
  private static final Set<String> SKIPPED_KINDS = Set.of("Event");

  private final Vertx vertx;
  private final KubernetesClient client;
  private final ApiServerEndpoint endpoint;
  private final WorkerExecutor worker;
  private final RawApi raw;
  private final Optional<String> watchNamespace;
  private final RetryPolicy deleteRetry;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  /** Discovery is reused for a while: kinds change rarely, and a CRD applied by us is seen on expiry. */
  private static final long DISCOVERY_TTL_NANOS = 30_000_000_000L;
  private volatile List<ResourceDefinitionContext> discovered;
  private volatile long discoveredAt;

  private Fabric8ClusterOps(Vertx vertx, KubernetesClient client, ApiServerEndpoint endpoint, Optional<String> watchNamespace,
      RetryPolicy deleteRetry) {
    this.vertx = vertx;
    this.client = client;
    this.endpoint = endpoint;
    this.worker = vertx.createSharedWorkerExecutor("brokkr-k8s", 4);
    this.raw = new RawApi(client);
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
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
        .build();
    return new Fabric8ClusterOps(vertx, client, endpoint, watchNamespace, deleteRetry);
  }

  @Override
  public Future<Long> probe() {
    return blocking(() -> {
      calls.incrementAndGet();
      long started = System.nanoTime();
      client.getKubernetesVersion();
      return (System.nanoTime() - started) / 1_000_000;
    }).recover(err -> Future.failedFuture(endpoint.failure(err)));
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
   * its group version, once; a kind the cluster does not serve (yet: a CRD applied a moment ago)
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
    ResourceDefinitionContext known = servedKinds.get(apiVersion + "/" + kind);
    Future<ResourceDefinitionContext> served = known != null ? Future.succeededFuture(known)
        : blocking(() -> requireServed(apiVersion, kind));
    return served.compose(rdc -> {
      calls.incrementAndGet();
      return raw.apply(rdc, namespaceOr(namespace), name, manifest, fieldManager, dryRun, context);
    }).onSuccess(v -> {
      if (!dryRun) {
        writes.incrementAndGet();
        if ("CustomResourceDefinition".equals(kind)) {
          discovered = null;
        }
      }
    });
  }

  @Override
  public Future<Void> delete(ObjectRef ref) {
    return deleteRetry.run(vertx, () -> blocking(() -> {
      calls.incrementAndGet();
      var kind = client.genericKubernetesResources(ref.apiVersion(), ref.kind());
      if (ref.namespace() != null) {
        kind.inNamespace(ref.namespace()).withName(ref.name()).delete();
      } else {
        kind.withName(ref.name()).delete();
      }
      writes.incrementAndGet();
      return null;
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
    return blocking(this::discoverListableKinds).compose(kinds -> {
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

  /** Kinds looked up for work orders, by apiVersion and kind; only kinds found are kept (a CRD installed later is seen). */
  private final Map<String, ResourceDefinitionContext> servedKinds = new ConcurrentHashMap<>();

  @Override
  public Future<Boolean> serves(String apiVersion, String kind) {
    return blocking(() -> servedKind(apiVersion, kind) != null);
  }

  @Override
  public Future<ObjectRef> create(Map<String, Object> manifest) {
    return blocking(() -> {
      GenericKubernetesResource resource = client.getKubernetesSerialization()
          .convertValue(manifest, GenericKubernetesResource.class);
      ResourceDefinitionContext kind = requireServed(resource.getApiVersion(), resource.getKind());
      var op = client.genericKubernetesResources(kind);
      calls.incrementAndGet();
      GenericKubernetesResource created = kind.isNamespaceScoped()
          ? op.inNamespace(namespaceOr(resource.getMetadata().getNamespace())).resource(resource).create()
          : op.resource(resource).create();
      writes.incrementAndGet();
      return new ObjectRef(resource.getApiVersion(), resource.getKind(), created.getMetadata().getNamespace(),
          created.getMetadata().getName());
    });
  }

  @Override
  @SuppressWarnings("unchecked")
  public Future<Optional<Map<String, Object>>> status(ObjectRef ref) {
    return blocking(() -> {
      ResourceDefinitionContext kind = requireServed(ref.apiVersion(), ref.kind());
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
    });
  }

  private String namespaceOr(String namespace) {
    return namespace == null || namespace.isBlank() ? client.getNamespace() : namespace;
  }

  private ResourceDefinitionContext requireServed(String apiVersion, String kind) {
    ResourceDefinitionContext served = servedKind(apiVersion, kind);
    if (served == null) {
      throw new ClusterCallException(404, KIND_NOT_SERVED, "the cluster does not serve " + kind + " in " + apiVersion
          + " (is its CustomResourceDefinition installed?)", null);
    }
    return served;
  }

  /** The kind's plural and scope from discovery of its group version; null when the cluster does not serve it. */
  private ResourceDefinitionContext servedKind(String apiVersion, String kind) {
    String key = apiVersion + "/" + kind;
    ResourceDefinitionContext known = servedKinds.get(key);
    if (known != null) {
      return known;
    }
    calls.incrementAndGet();
    APIResourceList resources;
    try {
      resources = client.getApiResources(apiVersion);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      resources = null;
    }
    if (resources == null) {
      return null;
    }
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    for (APIResource r : resources.getResources()) {
      if (kind.equals(r.getKind()) && !r.getName().contains("/")) {
        ResourceDefinitionContext found = new ResourceDefinitionContext.Builder()
            .withGroup(group).withVersion(version).withKind(kind).withPlural(r.getName())
            .withNamespaced(Boolean.TRUE.equals(r.getNamespaced()))
            .build();
        servedKinds.put(key, found);
        return found;
      }
    }
    return null;
  }

  // --- end work orders ---

  private List<ResourceDefinitionContext> discoverListableKinds() {
    List<ResourceDefinitionContext> cached = discovered;
    if (cached != null && System.nanoTime() - discoveredAt < DISCOVERY_TTL_NANOS) {
      return cached;
    }
    List<ResourceDefinitionContext> fresh = discoverNow();
    discovered = fresh;
    discoveredAt = System.nanoTime();
    return fresh;
  }

  private List<ResourceDefinitionContext> discoverNow() {
    List<String> groupVersions = new ArrayList<>();
    groupVersions.add("v1");
    calls.incrementAndGet();
    for (APIGroup group : client.getApiGroups().getGroups()) {
      if (group.getPreferredVersion() != null) {
        groupVersions.add(group.getPreferredVersion().getGroupVersion());
      }
    }
    List<ResourceDefinitionContext> kinds = new ArrayList<>();
    for (String gv : groupVersions) {
      calls.incrementAndGet();
      var resources = client.getApiResources(gv);
      if (resources == null) {
        continue;
      }
      String group = gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "";
      String version = gv.contains("/") ? gv.substring(gv.indexOf('/') + 1) : gv;
      for (APIResource r : resources.getResources()) {
        if (r.getName().contains("/") || SKIPPED_KINDS.contains(r.getKind())
            || r.getVerbs() == null || !r.getVerbs().contains("list") || !r.getVerbs().contains("delete")) {
          continue;
        }
        kinds.add(new ResourceDefinitionContext.Builder()
            .withGroup(group).withVersion(version).withKind(r.getKind()).withPlural(r.getName())
            .withNamespaced(Boolean.TRUE.equals(r.getNamespaced()))
            .build());
      }
    }
    return List.copyOf(kinds);
  }

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
