package org.brokkr.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthApiTest {
  static TestBroker broker;
  static Fixtures fx;
  static WebClient client;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    client = WebClient.create(broker.vertx, new WebClientOptions().setDefaultHost("localhost")
        .setDefaultPort(broker.broker.port()).setUserAgent("auth-api-test/1"));
  }

  @AfterAll
  static void stop() {
    client.close();
    broker.close();
  }

  /** A request whose headers are exactly the given ones (no Bearer added). */
  private static HttpResponse<Buffer> raw(HttpMethod method, String path, Map<String, String> headers) {
    var req = client.request(method, path);
    req.putHeaders(MultiMap.caseInsensitiveMultiMap().addAll(headers));
    try {
      return req.send().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<Buffer> verify(String authorization) {
    return raw(HttpMethod.POST, "/api/v1/auth/pak",
        authorization == null ? Map.of() : Map.of("Authorization", authorization));
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r) {
    assertEquals(401, r.statusCode(), r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"), r.getHeader("Content-Type"));
    assertEquals("unauthorized", r.bodyAsJsonObject().getString("code"), r.bodyAsString());
  }

  @Test
  void verifyPakDescribesEachKindOfIdentity() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));

    JsonObject admin = verify("Bearer " + broker.adminPak).bodyAsJsonObject();
    assertEquals(new JsonObject().put("admin", true).put("agent", null).put("generator", null).put("readonly", false), admin);

    JsonObject asAgent = verify("Bearer " + agent.pak()).bodyAsJsonObject();
    assertEquals(new JsonObject().put("admin", false).put("agent", agent.id()).put("generator", null).put("readonly", false),
        asAgent);

    JsonObject asGenerator = verify("Bearer " + gen.pak()).bodyAsJsonObject();
    assertEquals(new JsonObject().put("admin", false).put("agent", null).put("generator", gen.id()).put("readonly", false),
        asGenerator);
  }

  @Test
  void headerMayBeBearerLowercaseBearerOrBare() {
    var agent = fx.agent(List.of());
    for (String header : new String[] {"Bearer " + agent.pak(), "bearer " + agent.pak(), "BEARER " + agent.pak(), agent.pak()}) {
      var r = verify(header);
      assertEquals(200, r.statusCode(), header + " -> " + r.bodyAsString());
      assertEquals(agent.id(), r.bodyAsJsonObject().getString("agent"), header);
    }
  }

  @Test
  void onlyBearerOrABarePakOfTheConfiguredFormatAuthenticates() {
    String[] parts = broker.adminPak.split("_");
    for (String header : new String[] {
        "Bearer other_" + parts[1] + "_" + parts[2],
        "Bearer " + parts[0] + "_XYZ_" + parts[2],
        "Bearer " + parts[0] + "_garbage1_" + parts[2],
        "Basic " + broker.adminPak,
        "Token " + broker.adminPak,
        "Bearer: " + broker.adminPak}) {
      assertUnauthorized(verify(header));
    }
    assertEquals(200, verify("Bearer " + broker.adminPak).statusCode(), "control");
  }

  @Test
  void malformedOrUnknownPaksAreUnauthorized() {
    String twoParts = broker.adminPak.substring(broker.adminPak.indexOf('_') + 1);
    String unknown = Pak.mint(Pak.Format.DEFAULT).pak();
    for (String header : new String[] {"garbage", "Bearer x", "Bearer " + twoParts, "Bearer " + unknown,
        "Bearer " + broker.adminPak + "_extra", "Basic dXNlcjpwYXNz"}) {
      assertUnauthorized(verify(header));
    }
    assertUnauthorized(raw(HttpMethod.GET, "/api/v1/agents", Map.of("Authorization", "Bearer " + unknown)));
  }

  @Test
  void missingHeaderIsUnauthorized() {
    assertUnauthorized(verify(null));
    assertUnauthorized(raw(HttpMethod.GET, "/api/v1/generators", Map.of()));
    assertUnauthorized(raw(HttpMethod.GET, "/api/v1/paks", Map.of()));
  }

  @Test
  void paksListsTheNonSystemGeneratorsForAdminOnly() {
    var gen = fx.generator();
    var gone = fx.generator();
    assertEquals(204, broker.admin().delete("/generators/" + gone.id()).statusCode());

    var r = broker.admin().get("/paks");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonArray paks = r.bodyAsJsonArray();
    paks.forEach(o -> assertEquals(Set.of("id", "name"), ((JsonObject) o).fieldNames(), o.toString()));
    Set<String> ids = paks.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
    Set<String> names = paks.stream().map(o -> ((JsonObject) o).getString("name")).collect(Collectors.toSet());
    assertTrue(ids.contains(gen.id()));
    assertFalse(ids.contains(gone.id()), "deleted generators are not listed");
    assertTrue(names.contains("admin-generator"), names.toString());
    assertFalse(names.contains("__system__"), names.toString());
    JsonObject expected = broker.admin().get("/generators/" + gen.id()).bodyAsJsonObject();
    assertTrue(paks.contains(new JsonObject().put("id", gen.id()).put("name", expected.getString("name"))));

    assertEquals("admin_required", broker.as(gen.pak()).get("/paks").bodyAsJsonObject().getString("code"));
    var byAgent = broker.as(fx.agent(List.of()).pak()).get("/paks");
    assertEquals(403, byAgent.statusCode());
    assertEquals("admin_required", byAgent.bodyAsJsonObject().getString("code"));
  }
}
