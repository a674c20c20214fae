package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two calls a deployment check makes by the hundred, as plain asynchronous requests through
 * fabric8's HTTP client (its authentication, TLS and retries): a server-side apply, which sends
 * the manifest as JSON and reads nothing back but the status, and a list that asks the API server
 * for object metadata only. Neither takes a worker thread, builds a typed model of the object or
 * parses what it does not need. Futures complete on the {@link Context} given.
 */
final class RawApi {
  /** Object metadata only: no spec, data or status travel for a list that reads annotations. */
  private static final String METADATA_ONLY = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";

  private final KubernetesClient client;
  private final String base;

  RawApi(KubernetesClient client) {
    this.client = client;
    String url = client.getMasterUrl().toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Server-side apply of {@code manifest} as {@code fieldManager}, forcing conflicts; {@code kind} says where it lives. */
  Future<Void> apply(ResourceDefinitionContext kind, String namespace, String name, Map<String, Object> manifest,
      String fieldManager, boolean dryRun, Context context) {
    String url = base + collection(kind, kind.isNamespaceScoped() ? namespace : null) + "/" + segment(name)
        + "?fieldManager=" + segment(fieldManager) + "&force=true" + (dryRun ? "&dryRun=All" : "");
    // JSON is YAML: the apply-patch content type takes it as it is
    HttpRequest request = timed(http().newHttpRequestBuilder().uri(url)
        .method("PATCH", "application/apply-patch+yaml", new JsonObject(manifest).encode())).build();
    return send(request, context).map(body -> (Void) null);
  }

  /**
   * Every object of {@code kind} (of {@code namespace} only, when given), as its API version, kind,
   * namespace, name, annotations and whether it has owner references.
   */
  Future<List<LiveObject>> listMetadata(ResourceDefinitionContext kind, String namespace, Context context) {
    HttpRequest request = timed(http().newHttpRequestBuilder().uri(base + collection(kind, namespace))
        .header("Accept", METADATA_ONLY)).build();
    String apiVersion = kind.getGroup() == null || kind.getGroup().isEmpty()
        ? kind.getVersion() : kind.getGroup() + "/" + kind.getVersion();
    return send(request, context).map(body -> {
      JsonArray items = new JsonObject(body).getJsonArray("items", new JsonArray());
      List<LiveObject> out = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        JsonObject meta = items.getJsonObject(i).getJsonObject("metadata", new JsonObject());
        Map<String, String> annotations = new HashMap<>();
        meta.getJsonObject("annotations", new JsonObject()).forEach(e -> annotations.put(e.getKey(), String.valueOf(e.getValue())));
        JsonArray owners = meta.getJsonArray("ownerReferences");
        out.add(new LiveObject(new ObjectRef(apiVersion, kind.getKind(), meta.getString("namespace"), meta.getString("name")),
            Map.copyOf(annotations), owners != null && !owners.isEmpty()));
      }
      return out;
    });
  }

  /** A GET of {@code path} (discovery, version) as JSON; a 404 is an empty result rather than a failure. */
  Future<java.util.Optional<JsonObject>> getJson(String path, Context context) {
    HttpRequest request = timed(http().newHttpRequestBuilder().uri(base + path).header("Accept", "application/json")).build();
    return send(request, context).map(body -> java.util.Optional.of(new JsonObject(body)))
        .recover(err -> err instanceof ClusterCallException e && e.status() == 404
            ? Future.succeededFuture(java.util.Optional.empty()) : Future.failedFuture(err));
  }

  /**
   * Deletes one object, its dependents in the background (as kubectl does); an object already
   * gone counts as deleted.
   */
  Future<Void> delete(ResourceDefinitionContext kind, String namespace, String name, Context context) {
    String url = base + collection(kind, kind.isNamespaceScoped() ? namespace : null) + "/" + segment(name);
    HttpRequest request = timed(http().newHttpRequestBuilder().uri(url)
        .method("DELETE", "application/json", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}"))
        .build();
    return send(request, context).map(body -> (Void) null)
        .recover(err -> err instanceof ClusterCallException e && e.status() == 404
            ? Future.succeededFuture() : Future.failedFuture(err));
  }

  private HttpClient http() {
    return client.getHttpClient();
  }

  private HttpRequest.Builder timed(HttpRequest.Builder builder) {
    int timeout = client.getConfiguration().getRequestTimeout();
    return timeout > 0 ? builder.timeout(timeout, TimeUnit.MILLISECONDS) : builder;
  }

  /** The response body of a 2xx; anything else fails with the API server's own status, as the DSL's calls do. */
  private Future<String> send(HttpRequest request, Context context) {
    return Future.fromCompletionStage(http().sendAsync(request, String.class), context).transform(ar -> {
      if (ar.failed()) {
        Throwable err = ar.cause() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
            ? c.getCause() : ar.cause();
        return Future.failedFuture(err instanceof KubernetesClientException k && k.getCode() > 0
            ? new ClusterCallException(k.getCode(), null, k.getMessage(), k)
            : new ClusterCallException(0, null, ApiServerEndpoint.rootCause(err), err));
      }
      HttpResponse<String> response = ar.result();
      if (response.isSuccessful()) {
        return Future.succeededFuture(response.body() == null ? "" : response.body());
      }
      return Future.failedFuture(statusFailure(response.code(), response.body()));
    });
  }

  /** A {@code Status} body becomes its reason and message; another body is quoted. */
  static ClusterCallException statusFailure(int code, String body) {
    String reason = null;
    String message = null;
    if (body != null && body.startsWith("{")) {
      try {
        JsonObject status = new JsonObject(body);
        reason = status.getString("reason");
        message = status.getString("message");
      } catch (DecodeException | ClassCastException e) {
        // not a Status after all: quoted below
      }
    }
    if (message == null) {
      String text = body == null ? "" : body.strip();
      message = "HTTP " + code + (text.isEmpty() ? "" : ": " + (text.length() > 500 ? text.substring(0, 500) : text));
    }
    return new ClusterCallException(code, reason, message, null);
  }

  /** {@code /api/v1[/namespaces/ns]/plural} or {@code /apis/group/version[/namespaces/ns]/plural}. */
  private static String collection(ResourceDefinitionContext kind, String namespace) {
    String group = kind.getGroup();
    String prefix = group == null || group.isEmpty() ? "/api/" + kind.getVersion() : "/apis/" + group + "/" + kind.getVersion();
    return prefix + (namespace == null ? "" : "/namespaces/" + segment(namespace)) + "/" + kind.getPlural();
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
