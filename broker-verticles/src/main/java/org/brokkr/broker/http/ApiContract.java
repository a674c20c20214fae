package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.impl.OpenAPIContractImpl;
import org.snakeyaml.engine.v2.api.Load;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.impl.OpenAPIContractImpl;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code openapi.yaml} as shipped in the jar: the text served at {@code /docs/openapi.yaml}, its
 * JSON form, and the copy given to the router. From that copy, media types the validator does not
 * know (YAML bodies, served by a dedicated route) are removed, and so are the text rules of
 * schemas marked {@value #CHECKED_IN_HANDLER}: the operations check those themselves and answer
 * with their own error codes ({@code invalid_label}, {@code invalid_agent}, ...).
 */
public record ApiContract(String yaml, JsonObject json, JsonObject routerSpec) {
  static final String CHECKED_IN_HANDLER = "x-brokkr-checked-in-handler";
  /** The base URI {@code OpenAPIContract.from} gives the contract's schema repository. */
  private static final String BASE_URI = "app://";
  private static final List<String> TEXT_RULES = List.of("pattern", "minLength", "maxLength", CHECKED_IN_HANDLER);

  /**
   * The router's contract, resolved but not checked against the OpenAPI meta-schema: that check
   * walks the whole document and was most of a start's time, while the document is the one in
   * the jar, checked by {@code ApiContractTest} with {@link OpenAPIContract#from} on every build.
   * The steps are {@code OpenAPIContract.from}'s own, less its validation.
   */
  public Future<OpenAPIContract> resolveForRouter(Vertx vertx) {
    OpenAPIVersion version = OpenAPIVersion.fromContract(routerSpec);
    return version.getRepository(vertx, BASE_URI)
        .compose(repository -> version.resolve(vertx, repository, routerSpec)
            .map(resolved -> (OpenAPIContract) new OpenAPIContractImpl(resolved, version, repository)));
  }

  public static ApiContract load() {
    try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the classpath");
      }
      return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read openapi.yaml", e);
    }
  }

  @SuppressWarnings("unchecked")
  public static ApiContract fromYaml(String text) {
    Object parsed = new Load(LoadSettings.builder().setCodePointLimit(16 * 1024 * 1024).build()).loadFromString(text);
    JsonObject json = new JsonObject((Map<String, Object>) parsed).copy();
    JsonObject routerSpec = json.copy();
    JsonObject paths = routerSpec.getJsonObject("paths", new JsonObject());
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op)) {
          continue;
        }
        JsonObject body = op.getJsonObject("requestBody");
        if (body != null) {
          keepJsonOnly(body.getJsonObject("content"));
        }
        JsonObject responses = op.getJsonObject("responses");
        if (responses != null) {
          for (String code : responses.fieldNames()) {
            if (responses.getValue(code) instanceof JsonObject r && r.getJsonObject("content") != null) {
              keepJsonOnly(r.getJsonObject("content"));
            }
          }
        }
      }
    }
    leaveTextRulesToHandlers(routerSpec);
    return new ApiContract(text, json, routerSpec);
  }

  private static void leaveTextRulesToHandlers(Object node) {
    if (node instanceof JsonObject obj) {
      if (Boolean.TRUE.equals(obj.getValue(CHECKED_IN_HANDLER))) {
        TEXT_RULES.forEach(obj::remove);
      }
      obj.forEach(entry -> leaveTextRulesToHandlers(entry.getValue()));
    } else if (node instanceof JsonArray arr) {
      arr.forEach(ApiContract::leaveTextRulesToHandlers);
    }
  }

  private static void keepJsonOnly(JsonObject content) {
    if (content == null) {
      return;
    }
    for (String type : new java.util.ArrayList<>(content.fieldNames())) {
      if (!type.startsWith("application/json")) {
        content.remove(type);
      }
    }
  }
}
