package org.brokkr.agent.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Everything the agent does to a Kubernetes cluster. The only implementation that talks to a
 * real API server is {@link Fabric8ClusterOps}; every call returns a Future and never blocks the
 * caller's event loop.
 */
public interface ClusterOps {
  /** Calls the API server's version endpoint; the result is the round trip in milliseconds. */
  Future<Long> probe();

  Future<Boolean> namespaceExists(String name);

  /**
   * Server-side apply of one object (a parsed manifest), forcing conflicts, as {@code fieldManager}.
   * A dry run validates on the server without persisting anything.
   */
  Future<Void> apply(Map<String, Object> manifest, String fieldManager, boolean dryRun);

  /** Deletes an object; an object already gone counts as deleted. */
  Future<Void> delete(ObjectRef ref);

  /**
   * Every object of every listable kind (in the watched namespace for namespaced kinds, when one
   * is set) that carries annotation {@code key=value}.
   */
  Future<List<LiveObject>> listAnnotated(String key, String value);

  // --- work orders: serving check, create, status reads ---

  /** The {@link ClusterCallException#reason()} of a call about a kind the cluster does not serve (its CRD is missing). */
  String KIND_NOT_SERVED = "KindNotServed";

  /** Whether the cluster serves {@code kind} in {@code apiVersion} (for a custom kind: whether its CRD is installed). */
  Future<Boolean> serves(String apiVersion, String kind);

  /**
   * Creates an object (a parsed manifest); with {@code metadata.generateName} and no name the API
   * server picks a unique name. The result names the object created. An existing object of that
   * name fails with status 409; a kind the cluster does not serve with {@link #KIND_NOT_SERVED}.
   */
  Future<ObjectRef> create(Map<String, Object> manifest);

  /**
   * The {@code status} of an object: empty when the object does not exist, an empty map when it
   * has no status yet. A kind the cluster does not serve fails with {@link #KIND_NOT_SERVED}.
   */
  Future<Optional<Map<String, Object>>> status(ObjectRef ref);

  // --- end work orders ---

  // --- health and diagnostics: reads of pods, of their owners, of events and of container logs ---

  /** Every pod (only those of the watched namespace, when one is set), each as its Kubernetes JSON. */
  Future<List<JsonObject>> listPods();

  /** One object as its Kubernetes JSON; empty when there is no such object. */
  Future<Optional<JsonObject>> getObject(ObjectRef ref);

  /** The core/v1 Events of one namespace, each as its Kubernetes JSON. */
  Future<List<JsonObject>> listEvents(String namespace);

  /** The last {@code lines} lines one container of a pod wrote to its log. */
  Future<String> podLogTail(String namespace, String pod, String container, int lines);

  // --- end of health and diagnostics ---

  // --- telemetry: watches and log follows, which run until closed ---

  /** A running watch or log follow; closing it stops it (its end handler is not called then). */
  interface Stream extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Watches core/v1 Events (of the watched namespace, when one is set): each added or modified
   * Event goes to {@code onEvent} as its Kubernetes JSON. {@code onEnded} is called once when the
   * watch ends by itself (the API server closed it, or it failed). Callbacks come on no event loop
   * of ours: hand them to a context before touching state.
   */
  Future<Stream> watchEvents(Consumer<JsonObject> onEvent, Consumer<Throwable> onEnded);

  /** As {@link #watchEvents} for Pods; {@code onPod} gets the action (ADDED, MODIFIED, DELETED) and the Pod's JSON. */
  Future<Stream> watchPods(BiConsumer<String, JsonObject> onPod, Consumer<Throwable> onEnded);

  /**
   * Follows one container's log from now on: each line goes to {@code onLine}; {@code onEnded} is
   * called once when the log ends or cannot be read. Reading happens on a thread of its own.
   */
  Future<Stream> followLog(String namespace, String pod, String container, Consumer<String> onLine, Consumer<Throwable> onEnded);

  // --- end of telemetry ---

  /** Number of calls made so far that changed the cluster (applies that were not dry runs, deletes). */
  long writeCount();

  /** Number of calls made so far, of any kind. */
  long callCount();
}
