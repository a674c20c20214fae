package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.impl.OpenAPIContractImpl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
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
   * The steps are {@code OpenAPIContract.from}'s own, less its validation; the repository keeps
   * the validators it builds ({@link CachedValidators}).
   */
  public Future<OpenAPIContract> resolveForRouter(Vertx vertx) {
    OpenAPIVersion version = OpenAPIVersion.fromContract(routerSpec);
    return version.getRepository(vertx, BASE_URI)
        .compose(repository -> version.resolve(vertx, repository, routerSpec)
            .map(resolved -> (OpenAPIContract) new OpenAPIContractImpl(resolved, version, new CachedValidators(repository))));
  }

  /** The contract's JSON form, written beside {@code openapi.yaml} when the classes are built ({@link #main}). */
  static final String JSON_RESOURCE = "openapi.json";

  /**
   * The contract in the jar. Its JSON form, written at build time, is read instead of parsing the
   * YAML (a fifth of the time, on a start's critical path); without it the YAML is parsed.
   */
  public static ApiContract load() {
    String yaml = new String(resource("openapi.yaml"), StandardCharsets.UTF_8);
    byte[] json = resourceOrNull(JSON_RESOURCE);
    return json == null ? fromYaml(yaml) : fromJson(yaml, new JsonObject(Buffer.buffer(json)));
  }

  /** Build step: {@code openapi.json} from {@code openapi.yaml}, both in the classes directory given. */
  public static void main(String[] args) throws IOException {
    Path classes = Path.of(args[0]);
    ApiContract contract = fromYaml(Files.readString(classes.resolve("openapi.yaml")));
    Files.writeString(classes.resolve(JSON_RESOURCE), contract.json().encode());
  }

  private static byte[] resource(String name) {
    byte[] bytes = resourceOrNull(name);
    if (bytes == null) {
      throw new IllegalStateException(name + " is missing from the classpath");
    }
    return bytes;
  }

  private static byte[] resourceOrNull(String name) {
    try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }

  @SuppressWarnings("unchecked")
  public static ApiContract fromYaml(String text) {
    Object parsed = new Load(LoadSettings.builder().setCodePointLimit(16 * 1024 * 1024).setBufferSize(64 * 1024).build()).loadFromString(text);
    return fromJson(text, new JsonObject((Map<String, Object>) parsed).copy());
  }

  /** The contract whose YAML text is {@code text} and whose parsed form is {@code json}. */
  static ApiContract fromJson(String text, JsonObject json) {
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
