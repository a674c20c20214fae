package org.brokkr.agent.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.codecs.config.CaBundle;
import org.brokkr.codecs.config.ConfigException;

/** The broker's REST API as the agent uses it ({@code /api/v1}, its own PAK). */
public final class BrokerClient implements AutoCloseable {
  private static final long TIMEOUT_MS = 30_000;
  public static final String CA_FILE_SETTING = "agent.tls_ca_file";
  /** Connections to the broker at most: deployment events go 8 at a time, beside the heartbeat, health and work-order calls. */
  private static final int MAX_CONNECTIONS = 12;

  private final WebClient client;
  private final String pak;
  private final String host;
  private final int port;
  private final boolean ssl;

  /** A client trusting the JVM's default authorities for an https URL. */
  public BrokerClient(Vertx vertx, String brokerUrl, String pak) {
    this(vertx, brokerUrl, pak, Optional.empty());
  }

  /**
   * A client for {@code brokerUrl}; over https it always checks the broker's certificate and host
   * name, against the authorities of {@code caBundle} (PEM) when given, else the JVM's default ones.
   */
  public BrokerClient(Vertx vertx, String brokerUrl, String pak, Optional<Buffer> caBundle) {
    URI uri = URI.create(brokerUrl);
    this.ssl = "https".equals(uri.getScheme());
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    this.pak = pak;
    WebClientOptions options = new WebClientOptions()
        .setConnectTimeout(10_000)
        .setSsl(ssl)
        .setKeepAlive(true)
        .setUserAgent("brokkr-agent-jvm");
    if (ssl) {
      options.setTrustAll(false).setVerifyHost(true);
      caBundle.ifPresent(pem -> options.setTrustOptions(new PemTrustOptions().addCertValue(pem)));
    }
    this.client = WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
  }

  /**
   * The PEM bundle of {@code agent.tls_ca_file}, read off the event loop and checked to hold
   * certificates; a file that cannot be used fails with a one-line {@link ConfigException}.
   */
  public static Future<Optional<Buffer>> caBundle(Vertx vertx, Optional<String> caFile) {
    if (caFile.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    String path = caFile.get();
    return vertx.fileSystem().readFile(path)
        .recover(err -> Future.failedFuture(new ConfigException(CA_FILE_SETTING + " " + path + ": cannot read: " + rootMessage(err))))
        .compose(pem -> vertx.executeBlocking(() -> {
          CaBundle.parse(pem.getBytes(), CA_FILE_SETTING, path);
          return Optional.of(pem);
        }, false));
  }

  private static String rootMessage(Throwable err) {
    Throwable root = err;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (root instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

  /** True when {@code /readyz} answers 200; fails when the broker cannot be reached (or its certificate is refused). */
  public Future<Boolean> ready() {
    return client.get(port, host, "/readyz").ssl(ssl).timeout(5_000).send()
        .map(r -> r.statusCode() == 200);
  }

  /** The identity behind our PAK ({@code AuthResponse}). */
  public Future<JsonObject> verifyPak() {
    return object(api("POST", "/auth/pak").send(), 200);
  }

  public Future<JsonObject> findSelf(String name, String cluster) {
    return object(api("GET", "/agents/").addQueryParam("name", name).addQueryParam("cluster_name", cluster).send(), 200);
  }

  public Future<JsonObject> getAgent(UUID id) {
    return object(api("GET", "/agents/" + id).send(), 200);
  }

  /** Registers with a generator; an existing registration (409) is success. */
  public Future<Void> register(UUID generatorId) {
    return api("POST", "/generators/" + generatorId + "/register").sendJsonObject(new JsonObject())
        .transform(ar -> {
          if (ar.succeeded() && (ar.result().statusCode() == 201 || ar.result().statusCode() == 409)) {
            return Future.succeededFuture();
          }
          return Future.failedFuture(failure(ar.failed() ? null : ar.result(), ar.cause()));
        });
  }

  public Future<Void> heartbeat(UUID id, Boolean k8sReachable, Long latencyMs) {
    JsonObject body = new JsonObject();
    if (k8sReachable != null) {
      body.put("k8s_reachable", k8sReachable).put("k8s_api_latency_ms", latencyMs);
    }
    return expect(api("POST", "/agents/" + id + "/heartbeat").sendJsonObject(body), 204).mapEmpty();
  }

  /** A target-state answer: the objects (null when unchanged since {@code etag}) and the tag. */
  public record TargetState(JsonArray objects, String etag) {
    public boolean unchanged() {
      return objects == null;
    }
  }

  /**
   * The full target state: latest object of every associated stack, plus owed deletion markers.
   * With the tag of the copy we hold, an unchanged state comes back as 304 without a body.
   */
  public Future<TargetState> targetState(UUID id, String knownEtag) {
    HttpRequest<Buffer> request = api("GET", "/agents/" + id + "/target-state").addQueryParam("mode", "full");
    if (knownEtag != null) {
      request.putHeader("If-None-Match", knownEtag);
    }
    return request.send().transform(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 304) {
        return Future.succeededFuture(new TargetState(null, knownEtag));
      }
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        return Future.succeededFuture(new TargetState(ar.result().bodyAsJsonArray(), ar.result().getHeader("ETag")));
      }
      return Future.failedFuture(failure(ar.failed() ? null : ar.result(), ar.cause()));
    });
  }

  public Future<Void> postEvent(UUID id, JsonObject event) {
    return expect(api("POST", "/agents/" + id + "/events").sendJsonObject(event), 201).mapEmpty();
  }

  // --- work orders ---

  /** The work orders this agent may claim now ({@code WorkOrder[]}, oldest first). */
  public Future<JsonArray> pendingWorkOrders(UUID agentId) {
    return expect(api("GET", "/agents/" + agentId + "/work-orders/pending").send(), 200).map(HttpResponse::bodyAsJsonArray);
  }

  /** Claims a work order for this agent: the claimed {@code WorkOrder}; fails with 404 (or 409) when it is not claimable. */
  public Future<JsonObject> claimWorkOrder(UUID workOrderId, UUID agentId) {
    return object(api("POST", "/work-orders/" + workOrderId + "/claim")
        .sendJsonObject(new JsonObject().put("agent_id", agentId.toString())), 200);
  }

  /**
   * Reports the result of a claimed work order. The answer is the HTTP status: 200 when the
   * broker recorded the result for good, 202 when it scheduled a retry.
   */
  public Future<Integer> completeWorkOrder(UUID workOrderId, boolean success, String message, boolean retryable) {
    JsonObject body = new JsonObject().put("success", success).put("message", message).put("retryable", retryable);
    return api("POST", "/work-orders/" + workOrderId + "/complete").sendJsonObject(body).transform(ar -> {
      if (ar.succeeded() && (ar.result().statusCode() == 200 || ar.result().statusCode() == 202)) {
        return Future.succeededFuture(ar.result().statusCode());
      }
      return Future.failedFuture(failure(ar.failed() ? null : ar.result(), ar.cause()));
    });
  }

  // --- end work orders ---

  // --- health and diagnostics ---

  /** Reports the health of some deployment objects ({@code PATCH /agents/{id}/health-status}); any 2xx is success. */
  public Future<Void> reportHealth(UUID agentId, JsonArray deploymentObjects) {
    return api("PATCH", "/agents/" + agentId + "/health-status")
        .sendJsonObject(new JsonObject().put("deployment_objects", deploymentObjects))
        .transform(ar -> ar.succeeded() && ar.result().statusCode() / 100 == 2
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(failure(ar.failed() ? null : ar.result(), ar.cause())));
  }

  /** The diagnostic requests waiting for this agent ({@code DiagnosticRequest} array), oldest first. */
  public Future<JsonArray> pendingDiagnostics(UUID agentId) {
    return expect(api("GET", "/agents/" + agentId + "/diagnostics/pending").send(), 200).map(HttpResponse::bodyAsJsonArray);
  }

  /** Claims a diagnostic request; fails with 409 when it is no longer pending (another claim won). */
  public Future<JsonObject> claimDiagnostic(UUID requestId) {
    return object(api("POST", "/diagnostics/" + requestId + "/claim").send(), 200);
  }

  /** One deployment object ({@code DeploymentObject}), as far as this agent may read it. */
  public Future<JsonObject> deploymentObject(UUID id) {
    return object(api("GET", "/deployment-objects/" + id).send(), 200);
  }

  /** Submits what was collected for a claimed diagnostic request ({@code SubmitDiagnosticResult}). */
  public Future<Void> submitDiagnosticResult(UUID requestId, JsonObject result) {
    return expect(api("POST", "/diagnostics/" + requestId + "/result").sendJsonObject(result), 201).mapEmpty();
  }

  // --- end of health and diagnostics ---

  /**
   * Claims the webhook deliveries this agent is to post ({@code PendingWebhookDelivery} array, at
   * most 10): each comes with its URL, auth header and timeout, and is held for this agent until
   * it reports or the claim runs out.
   */
  public Future<JsonArray> pendingWebhooks(UUID agentId) {
    return expect(api("GET", "/agents/" + agentId + "/webhooks/pending").send(), 200).map(HttpResponse::bodyAsJsonArray);
  }

  /** Reports how posting a claimed delivery went ({@code DeliveryResultRequest}). */
  public Future<Void> reportWebhookDelivery(UUID deliveryId, JsonObject result) {
    return expect(api("POST", "/webhook-deliveries/" + deliveryId + "/result").sendJsonObject(result), 200).mapEmpty();
  }

  private HttpRequest<Buffer> api(String method, String path) {
    return client.request(io.vertx.core.http.HttpMethod.valueOf(method), port, host, "/api/v1" + path)
        .ssl(ssl)
        .timeout(TIMEOUT_MS)
        .putHeader("Authorization", "Bearer " + pak);
  }

  private static Future<JsonObject> object(Future<HttpResponse<Buffer>> call, int status) {
    return expect(call, status).map(HttpResponse::bodyAsJsonObject);
  }

  private static Future<HttpResponse<Buffer>> expect(Future<HttpResponse<Buffer>> call, int status) {
    return call.transform(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == status) {
        return Future.succeededFuture(ar.result());
      }
      return Future.failedFuture(failure(ar.failed() ? null : ar.result(), ar.cause()));
    });
  }

  private static BrokerCallException failure(HttpResponse<Buffer> response, Throwable cause) {
    if (response == null) {
      return new BrokerCallException(0, "broker unreachable: " + (cause == null ? "unknown" : cause.getMessage()), cause);
    }
    String body = response.bodyAsString();
    String code = "";
    try {
      code = new JsonObject(body).getString("code", "");
    } catch (RuntimeException ignored) {
      // not an ErrorResponse
    }
    return new BrokerCallException(response.statusCode(), "broker answered " + response.statusCode() + (code.isEmpty() ? "" : " " + code), null);
  }

  @Override
  public void close() {
    client.close();
  }
}
