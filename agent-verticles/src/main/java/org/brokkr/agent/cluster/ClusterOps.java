package org.brokkr.agent.cluster;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

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

  /** Number of calls made so far that changed the cluster (applies that were not dry runs, deletes). */
  long writeCount();

  /** Number of calls made so far, of any kind. */
  long callCount();
}
