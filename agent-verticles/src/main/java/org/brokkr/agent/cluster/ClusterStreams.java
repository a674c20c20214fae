package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The watches and log follows of {@link Fabric8ClusterOps}, on its fabric8 client. Opening one is
 * a blocking call (run it on the worker); a log follow then reads on a daemon thread of its own,
 * since a follow blocks for as long as the container runs.
 */
final class ClusterStreams {
  private final KubernetesClient client;
  private final Optional<String> watchNamespace;

  ClusterStreams(KubernetesClient client, Optional<String> watchNamespace) {
    this.client = client;
    this.watchNamespace = watchNamespace;
  }

  ClusterOps.Stream events(Consumer<JsonObject> onEvent, Consumer<Throwable> onEnded) {
    var events = client.v1().events();
    Watcher<Event> watcher = new Ends<>(onEnded) {
      @Override
      public void eventReceived(Action action, Event event) {
        if (action == Action.ADDED || action == Action.MODIFIED) {
          onEvent.accept(json(event));
        }
      }
    };
    Watch watch = watchNamespace.isPresent() ? events.inNamespace(watchNamespace.get()).watch(watcher)
        : events.inAnyNamespace().watch(watcher);
    return ((Ends<Event>) watcher).closing(watch);
  }

  ClusterOps.Stream pods(BiConsumer<String, JsonObject> onPod, Consumer<Throwable> onEnded) {
    Watcher<Pod> watcher = new Ends<>(onEnded) {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (action != Action.BOOKMARK && action != Action.ERROR) {
          onPod.accept(action.name(), json(pod));
        }
      }
    };
    Watch watch = watchNamespace.isPresent() ? client.pods().inNamespace(watchNamespace.get()).watch(watcher)
        : client.pods().inAnyNamespace().watch(watcher);
    return ((Ends<Pod>) watcher).closing(watch);
  }

  ClusterOps.Stream log(String namespace, String pod, String container, Consumer<String> onLine, Consumer<Throwable> onEnded) {
    LogWatch follow = client.pods().inNamespace(namespace).withName(pod).inContainer(container).withReadyWaitTimeout(0).sinceSeconds(1).watchLog();
    AtomicBoolean closed = new AtomicBoolean();
    Thread reader = new Thread(() -> {
      Throwable end = null;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(follow.getOutput(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null && !closed.get(); line = in.readLine()) {
          onLine.accept(line);
        }
      } catch (Exception e) {
        end = e;
      }
      if (closed.compareAndSet(false, true)) {
        follow.close();
        onEnded.accept(end);
      }
    }, "brokkr-log-" + namespace + "/" + pod + "/" + container);
    reader.setDaemon(true);
    reader.start();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        follow.close();
      }
    };
  }

  private JsonObject json(Object resource) {
    return new JsonObject(client.getKubernetesSerialization().asJson(resource));
  }

  /** A watcher that reports its own end once, unless it was closed by us. */
  private abstract static class Ends<T> implements Watcher<T> {
    private final Consumer<Throwable> onEnded;
    private final AtomicBoolean done = new AtomicBoolean();

    Ends(Consumer<Throwable> onEnded) {
      this.onEnded = onEnded;
    }

    @Override
    public void onClose(WatcherException cause) {
      if (done.compareAndSet(false, true)) {
        onEnded.accept(cause);
      }
    }

    @Override
    public void onClose() {
      if (done.compareAndSet(false, true)) {
        onEnded.accept(null);
      }
    }

    ClusterOps.Stream closing(Watch watch) {
      return () -> {
        done.set(true);
        watch.close();
      };
    }
  }
}
