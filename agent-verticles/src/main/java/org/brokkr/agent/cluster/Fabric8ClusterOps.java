package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ClusterOps} on fabric8: its HTTP client runs on our own {@link Vertx}; its synchronous
 * DSL calls run on one worker executor so event loops never wait on the API server.
 */
public final class Fabric8ClusterOps implements ClusterOps, AutoCloseable {
  /** Kinds never listed when looking for owned objects: high-volume and never applied by us. */
  private static final Set<String> SKIPPED_KINDS = Set.of("Event");

  private final Vertx vertx;
  private final KubernetesClient client;
  private final WorkerExecutor worker;
  private final Optional<String> watchNamespace;
  private final RetryPolicy deleteRetry;
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  /** Discovery is reused for a while: kinds change rarely, and a CRD applied by us is seen on expiry. */
  private static final long DISCOVERY_TTL_NANOS = 30_000_000_000L;
  private volatile List<ResourceDefinitionContext> discovered;
  private volatile long discoveredAt;

  Fabric8ClusterOps(Vertx vertx, KubernetesClient client, Optional<String> watchNamespace, RetryPolicy deleteRetry) {
    this.vertx = vertx;
    this.client = client;
    this.worker = vertx.createSharedWorkerExecutor("brokkr-k8s", 4);
    this.watchNamespace = watchNamespace;
    this.deleteRetry = deleteRetry;
  }

  /** Blocking (reads the kubeconfig): call at startup, off the event loop. */
  public static Fabric8ClusterOps connect(Vertx vertx, Optional<String> kubeconfigPath, Optional<String> watchNamespace,
      RetryPolicy deleteRetry) throws java.io.IOException {
    Config config = kubeconfigPath.isPresent()
        ? Config.fromKubeconfig(Files.readString(Path.of(kubeconfigPath.get())))
        : Config.autoConfigure(null);
    config.setNamespace(watchNamespace.orElse("default"));
    return fromConfig(vertx, config, watchNamespace, deleteRetry);
  }

  public static Fabric8ClusterOps fromConfig(Vertx vertx, Config config, Optional<String> watchNamespace, RetryPolicy deleteRetry) {
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
        .build();
    return new Fabric8ClusterOps(vertx, client, watchNamespace, deleteRetry);
  }

  @Override
  public Future<Long> probe() {
    return blocking(() -> {
      calls.incrementAndGet();
      long started = System.nanoTime();
      client.getKubernetesVersion();
      return (System.nanoTime() - started) / 1_000_000;
    });
  }

  @Override
  public Future<Boolean> namespaceExists(String name) {
    return blocking(() -> {
      calls.incrementAndGet();
      return client.namespaces().withName(name).get() != null;
    });
  }

  @Override
  public Future<Void> apply(Map<String, Object> manifest, String fieldManager, boolean dryRun) {
    return blocking(() -> {
      calls.incrementAndGet();
      GenericKubernetesResource resource = client.getKubernetesSerialization()
          .convertValue(manifest, GenericKubernetesResource.class);
      var op = client.resource(resource);
      if (dryRun) {
        op.dryRun().fieldManager(fieldManager).forceConflicts().serverSideApply();
      } else {
        op.fieldManager(fieldManager).forceConflicts().serverSideApply();
        writes.incrementAndGet();
        if ("CustomResourceDefinition".equals(resource.getKind())) {
          discovered = null;
        }
      }
      return null;
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

  @Override
  public Future<List<LiveObject>> listAnnotated(String key, String value) {
    return blocking(() -> {
      List<ResourceDefinitionContext> kinds = discoverListableKinds();
      List<LiveObject> found = new ArrayList<>();
      int failures = 0;
      KubernetesClientException last = null;
      for (ResourceDefinitionContext kind : kinds) {
        try {
          var op = client.genericKubernetesResources(kind);
          var list = kind.isNamespaceScoped() && watchNamespace.isPresent()
              ? op.inNamespace(watchNamespace.get()).list()
              : op.inAnyNamespace().list();
          calls.incrementAndGet();
          for (GenericKubernetesResource item : list.getItems()) {
            Map<String, String> annotations = item.getMetadata().getAnnotations();
            if (annotations != null && value.equals(annotations.get(key))) {
              found.add(toLive(item));
            }
          }
        } catch (KubernetesClientException e) {
          failures++;
          last = e;
        }
      }
      if (!kinds.isEmpty() && failures == kinds.size()) {
        throw convert(last);
      }
      return found;
    });
  }

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

  private static LiveObject toLive(HasMetadata item) {
    var meta = item.getMetadata();
    ObjectRef ref = new ObjectRef(item.getApiVersion(), item.getKind(), meta.getNamespace(), meta.getName());
    boolean owned = meta.getOwnerReferences() != null && !meta.getOwnerReferences().isEmpty();
    return new LiveObject(ref, meta.getAnnotations() == null ? Map.of() : Map.copyOf(meta.getAnnotations()), owned);
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

  private static ClusterCallException convert(KubernetesClientException e) {
    String reason = e.getStatus() == null ? null : e.getStatus().getReason();
    String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    return new ClusterCallException(e.getCode(), reason, message, e);
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
