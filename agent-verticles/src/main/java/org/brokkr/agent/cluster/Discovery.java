package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Which kinds the API server serves, from its discovery documents, fetched asynchronously (no
 * worker thread) and cached:
 * <ul>
 *   <li>a kind looked up by apiVersion and kind (apply, delete, work orders) is remembered once
 *       found (until {@link #kindsChanged()}); a kind not found is asked again next time, so a CRD
 *       installed meanwhile is seen at once;</li>
 *   <li>the listable kinds (the owned-object scan) are reused for {@value #LISTABLE_TTL_SECONDS}
 *       seconds, or until {@link #kindsChanged()} (a CRD applied by the agent).</li>
 * </ul>
 * Concurrent lookups of one group version share one request.
 */
final class Discovery {
  /** Kinds never listed when looking for owned objects: high-volume and never applied by us. */
  private static final Set<String> SKIPPED_KINDS = Set.of("Event");
  static final long LISTABLE_TTL_SECONDS = 30;

  /** A group version's resources: every kind served and, separately, those the scan lists. */
  private record GroupVersion(Map<String, ResourceDefinitionContext> kinds, List<ResourceDefinitionContext> listable) {}

  private record Listable(List<ResourceDefinitionContext> kinds, long fetchedAt) {}

  private final RawApi raw;
  private final AtomicLong calls;
  private final Supplier<Context> context;
  private final Map<String, ResourceDefinitionContext> served = new ConcurrentHashMap<>();
  private final Map<String, Future<Optional<GroupVersion>>> inFlight = new ConcurrentHashMap<>();
  private volatile Listable listable;

  Discovery(RawApi raw, AtomicLong calls, Supplier<Context> context) {
    this.raw = raw;
    this.calls = calls;
    this.context = context;
  }

  /** The kind's plural and scope; empty when the cluster does not serve it (now). */
  Future<Optional<ResourceDefinitionContext>> kind(String apiVersion, String kind) {
    ResourceDefinitionContext known = served.get(apiVersion + "/" + kind);
    if (known != null) {
      return Future.succeededFuture(Optional.of(known));
    }
    return groupVersion(apiVersion).map(gv -> gv.map(g -> g.kinds().get(kind)));
  }

  /** Every kind that can be listed and deleted, core kinds first, then each group's preferred version in server order. */
  Future<List<ResourceDefinitionContext>> listable() {
    Listable cached = listable;
    if (cached != null && System.nanoTime() - cached.fetchedAt() < LISTABLE_TTL_SECONDS * 1_000_000_000L) {
      return Future.succeededFuture(cached.kinds());
    }
    long started = System.nanoTime();
    calls.incrementAndGet();
    return raw.getJson("/apis", context.get()).compose(groups -> {
      List<String> versions = new ArrayList<>();
      versions.add("v1");
      JsonArray list = groups.map(g -> g.getJsonArray("groups", new JsonArray())).orElse(new JsonArray());
      for (int i = 0; i < list.size(); i++) {
        JsonObject preferred = list.getJsonObject(i).getJsonObject("preferredVersion");
        if (preferred != null && preferred.getString("groupVersion") != null) {
          versions.add(preferred.getString("groupVersion"));
        }
      }
      List<Future<Optional<GroupVersion>>> fetches = versions.stream().map(this::groupVersion).toList();
      return Future.all(fetches).map(all -> {
        List<ResourceDefinitionContext> kinds = new ArrayList<>();
        fetches.forEach(f -> f.result().ifPresent(gv -> kinds.addAll(gv.listable())));
        List<ResourceDefinitionContext> result = List.copyOf(kinds);
        listable = new Listable(result, started);
        return result;
      });
    });
  }

  /**
   * The kinds served may have changed (a CRD was applied or deleted): the next scan asks again, and
   * so does the next lookup of any kind (a kind whose CRD went is then no longer taken as served).
   */
  void kindsChanged() {
    listable = null;
    served.clear();
  }

  private Future<Optional<GroupVersion>> groupVersion(String apiVersion) {
    Future<Optional<GroupVersion>>[] mine = new Future[1];
    Future<Optional<GroupVersion>> shared = inFlight.computeIfAbsent(apiVersion, gv -> {
      calls.incrementAndGet();
      String path = gv.contains("/") ? "/apis/" + gv : "/api/" + gv;
      mine[0] = raw.getJson(path, context.get()).map(doc -> doc.map(d -> parse(gv, d)));
      return mine[0];
    });
    if (mine[0] != null) {
      shared.onComplete(ar -> inFlight.remove(apiVersion, shared));
    }
    return shared;
  }

  private GroupVersion parse(String apiVersion, JsonObject doc) {
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    Map<String, ResourceDefinitionContext> kinds = new ConcurrentHashMap<>();
    List<ResourceDefinitionContext> listed = new ArrayList<>();
    JsonArray resources = doc.getJsonArray("resources", new JsonArray());
    for (int i = 0; i < resources.size(); i++) {
      JsonObject r = resources.getJsonObject(i);
      String name = r.getString("name", "");
      String kind = r.getString("kind");
      if (name.contains("/") || kind == null) {
        continue; // a subresource
      }
      ResourceDefinitionContext rdc = new ResourceDefinitionContext.Builder()
          .withGroup(group).withVersion(version).withKind(kind).withPlural(name)
          .withNamespaced(r.getBoolean("namespaced", false))
          .build();
      kinds.putIfAbsent(kind, rdc);
      served.put(apiVersion + "/" + kind, rdc);
      JsonArray verbs = r.getJsonArray("verbs", new JsonArray());
      if (!SKIPPED_KINDS.contains(kind) && verbs.contains("list") && verbs.contains("delete")) {
        listed.add(rdc);
      }
    }
    return new GroupVersion(kinds, List.copyOf(listed));
  }
}
