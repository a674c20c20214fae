package org.brokkr.broker.cli.client;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.brokkr.codecs.config.CaBundle;
import org.brokkr.codecs.config.ConfigException;

/**
 * The broker's REST API as the client commands use it, over HTTP or HTTPS from the calling thread.
 * A refused call becomes a {@link ClientFailure} worded as the reference SDK words it:
 * {@code <status> <code>: <message>}.
 */
final class BrokerApi {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** A large bundle takes the broker a while to validate and store. */
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(5);

  private final String base;
  private final String pak;
  private final HttpClient http;

  BrokerApi(Connection connection) {
    this.base = connection.apiBase();
    this.pak = connection.pak();
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    // the JDK client always checks an https broker's certificate and host name; a CA file only
    // changes which authorities it trusts
    connection.caFile().ifPresent(file -> builder.sslContext(trusting(file)));
    this.http = builder.build();
  }

  /** A TLS context trusting exactly the authorities in the PEM bundle {@code file}. */
  private static SSLContext trusting(String file) {
    byte[] pem;
    try {
      pem = Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new ClientFailure("cannot read the CA file " + file + ": " + describe(e));
    }
    try {
      return CaBundle.sslContext(CaBundle.parse(pem, "--ca-file", file));
    } catch (ConfigException e) {
      throw new ClientFailure(e.getMessage());
    }
  }

  /** The identity behind the PAK: {@code admin}, {@code agent} or {@code generator}. */
  JsonObject verifyPak() {
    return object(call("POST", "/auth/pak", null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonArray listStacks(UUID generatorView) {
    return array(call("GET", "/stacks" + (generatorView == null ? "" : "?pak_id=" + generatorView), null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonObject createStack(String name, UUID generatorId) {
    return object(call("POST", "/stacks", new JsonObject().put("name", name).put("generator_id", generatorId.toString()),
        REQUEST_TIMEOUT, Set.of()));
  }

  /** Adds a targeting label; one the stack already has (409) is fine for an idempotent apply. */
  void addStackLabel(UUID stackId, String label) {
    call("POST", "/stacks/" + stackId + "/labels", label, REQUEST_TIMEOUT, Set.of(409));
  }

  JsonArray listDeploymentObjects(UUID stackId) {
    return array(call("GET", "/stacks/" + stackId + "/deployment-objects", null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonObject createDeploymentObject(UUID stackId, String yaml) {
    return object(call("POST", "/stacks/" + stackId + "/deployment-objects",
        new JsonObject().put("yaml_content", yaml).put("is_deletion_marker", false), UPLOAD_TIMEOUT, Set.of()));
  }

  JsonArray listAgents() {
    return array(call("GET", "/agents", null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonArray listGenerators() {
    return array(call("GET", "/generators", null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonObject getGenerator(UUID id) {
    return object(call("GET", "/generators/" + id, null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonObject register(UUID generatorId, UUID agentId) {
    return object(call("POST", "/generators/" + generatorId + "/register", new JsonObject().put("agent_id", agentId.toString()),
        REQUEST_TIMEOUT, Set.of()));
  }

  void deregister(UUID generatorId, UUID agentId) {
    call("DELETE", "/generators/" + generatorId + "/register", new JsonObject().put("agent_id", agentId.toString()),
        REQUEST_TIMEOUT, Set.of());
  }

  JsonArray agentRegistrations(UUID agentId) {
    return array(call("GET", "/agents/" + agentId + "/registrations", null, REQUEST_TIMEOUT, Set.of()));
  }

  JsonArray generatorRegistrations(UUID generatorId) {
    return array(call("GET", "/generators/" + generatorId + "/registered-agents", null, REQUEST_TIMEOUT, Set.of()));
  }

  /** The response body of a 2xx (or of an accepted status), or the failure the broker reported. */
  private String call(String method, String path, Object json, Duration timeout, Set<Integer> accepted) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + pak)
        .header("Accept", "application/json");
    if (json == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(Json.encode(json), StandardCharsets.UTF_8));
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ClientFailure("cannot reach the broker at " + base + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientFailure("interrupted");
    }
    int status = response.statusCode();
    if (status < 400 || accepted.contains(status)) {
      return response.body();
    }
    throw new ClientFailure(refusal(status, response.body()));
  }

  private static String refusal(int status, String body) {
    try {
      Object parsed = Json.decodeValue(body);
      if (parsed instanceof JsonObject error && error.getValue("code") instanceof String code) {
        return status + " " + code + ": " + error.getString("message", "");
      }
    } catch (DecodeException | IllegalArgumentException notJson) {
      // a proxy's page or an empty body: the status says enough
    }
    return "request failed with HTTP " + status;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      Throwable cause = e.getCause();
      message = cause != null && cause.getMessage() != null ? cause.getMessage() : e.getClass().getSimpleName();
    }
    return message;
  }

  private static JsonObject object(String body) {
    try {
      return new JsonObject(body);
    } catch (DecodeException e) {
      throw new ClientFailure("the broker answered with something that is not a JSON object");
    }
  }

  private static JsonArray array(String body) {
    try {
      return new JsonArray(body);
    } catch (DecodeException e) {
      throw new ClientFailure("the broker answered with something that is not a JSON array");
    }
  }
}
