package org.brokkr.broker.ops;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.brokkr.broker.config.ConfigSource;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.codecs.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the ConfigMap {@code BROKKR_CONFIG_CONFIGMAP} names (an informer: it reconnects and
 * relists by itself) and reloads the configuration with its key's TOML layered over the config
 * file, {@code BROKKR_CONFIG_WATCHER_DEBOUNCE_SECONDS} (5) after the last change. The first
 * content seen is applied at once. Reaching the API server uses {@code KUBECONFIG} when set, else
 * the pod's service account. A ConfigMap that vanishes leaves the last settings in force. One
 * instance per broker, deployed only when the setting is present.
 */
public final class ConfigMapWatchVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigMapWatchVerticle.class);

  private final ConfigSource source;
  private KubernetesClient client;
  private SharedIndexInformer<ConfigMap> informer;
  private long debounceTimer = -1;
  private boolean seen;
  private String lastToml;

  public ConfigMapWatchVerticle(ConfigSource source) {
    this.source = source;
  }

  @Override
  public Future<?> start() {
    String[] target = source.configMap().orElseThrow();
    String key = source.configMapKey();
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      Config config = kubeConfig();
      client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).build();
      String namespace = target[0].isEmpty() ? Objects.requireNonNullElse(client.getNamespace(), "default") : target[0];
      LOG.info("watching ConfigMap {}/{} key={} for configuration changes", namespace, target[1], key);
      informer = client.configMaps().inNamespace(namespace).withName(target[1]).inform(new ResourceEventHandler<>() {
        @Override
        public void onAdd(ConfigMap cm) {
          context.runOnContext(v -> changed(cm, key));
        }

        @Override
        public void onUpdate(ConfigMap before, ConfigMap after) {
          context.runOnContext(v -> changed(after, key));
        }

        @Override
        public void onDelete(ConfigMap cm, boolean unknownFinalState) {
          context.runOnContext(v -> LOG.warn("watched ConfigMap {} was deleted; the last settings stay in force",
              cm.getMetadata().getName()));
        }
      });
      return null;
    }).recover(e -> Future.failedFuture(new IllegalStateException(
        "cannot watch ConfigMap " + String.join("/", target) + ": " + FailureLog.oneLine(e.toString()), e)));
  }

  private Config kubeConfig() throws java.io.IOException {
    String kubeconfig = source.env().get("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return Config.fromKubeconfig(Files.readString(Path.of(kubeconfig.split(java.io.File.pathSeparator)[0])));
    }
    return Config.autoConfigure(null);
  }

  private void changed(ConfigMap cm, String key) {
    String toml = cm.getData() == null ? null : cm.getData().get(key);
    if (toml == null) {
      LOG.warn("watched ConfigMap {} has no key {}; the last settings stay in force", cm.getMetadata().getName(), key);
      return;
    }
    if (toml.equals(lastToml)) {
      return;
    }
    lastToml = toml;
    vertx.cancelTimer(debounceTimer);
    long delay = seen ? Math.max(1, source.debounceSeconds() * 1000L) : 1;
    seen = true;
    debounceTimer = vertx.setTimer(delay, t -> {
      debounceTimer = -1;
      String before = source.configMapToml().getAndSet(lastToml);
      vertx.eventBus().request(Addresses.CONFIG_RELOAD, new JsonObject().put("origin", "configmap"))
          .onFailure(e -> {
            // a broken ConfigMap must not block later reloads of the file: its previous content stays
            source.configMapToml().compareAndSet(lastToml, before);
            LOG.warn("ConfigMap changed but cannot be applied: {}", e.getMessage());
          });
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(debounceTimer);
    if (client == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      if (informer != null) {
        informer.close();
      }
      client.close();
      return null;
    });
  }
}
