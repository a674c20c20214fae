package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker resolves its contract without the meta-schema check (it costs most of a start), so
 * the check happens here: the shipped contract passes Vert.x's full {@code OpenAPIContract.from},
 * and what the broker resolves describes the same operations, parameters and bodies.
 */
class ApiContractTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = TestVertx.create();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static Map<String, String> describe(OpenAPIContract contract) {
    Map<String, String> out = new TreeMap<>();
    for (Operation op : contract.operations()) {
      out.put(op.getOperationId(), op.getHttpMethod() + " " + op.getOpenAPIPath() + " " + op.getParameters().size()
          + " " + (op.getRequestBody() == null ? "-" : op.getRequestBody().getContent().keySet()) + " " + op.getSecurityRequirements().size());
    }
    return out;
  }

  @Test
  void theShippedContractPassesTheFullCheckAndResolvesAlike() throws Exception {
    ApiContract shipped = ApiContract.load();
    OpenAPIContract checked = OpenAPIContract.from(vertx, shipped.routerSpec().copy()).await(60, TimeUnit.SECONDS);
    OpenAPIContract resolved = shipped.resolveForRouter(vertx).await(60, TimeUnit.SECONDS);
    assertFalse(checked.operations().isEmpty());
    assertEquals(describe(checked), describe(resolved));
    assertEquals(checked.getRawContract(), resolved.getRawContract());
  }

  @Test
  void eachParameterSchemaGetsOneValidatorThatStillValidates() throws Exception {
    OpenAPIContract resolved = ApiContract.load().resolveForRouter(vertx).await(60, TimeUnit.SECONDS);
    var repository = resolved.getSchemaRepository();
    var id = resolved.operation("get_target_state").getParameters().stream()
        .filter(p -> p.getName().equals("id")).findFirst().orElseThrow().getSchema();
    var first = repository.validator(id);
    assertSame(first, repository.validator(id), "kept, not built again for the next request");
    assertTrue(first.validate("0b7e7f44-7d3c-4a35-9a59-3c2f4d8f4c11").getValid());
    assertFalse(first.validate("not-a-uuid").getValid());
    assertTrue(first.validate("0b7e7f44-7d3c-4a35-9a59-3c2f4d8f4c11").getValid(), "a failed validation leaves nothing behind");
  }

  @Test
  void theBuiltJsonFormIsTheShippedYaml() {
    ApiContract shipped = ApiContract.load();
    ApiContract parsed = ApiContract.fromYaml(shipped.yaml());
    assertEquals(parsed.json(), shipped.json(), "openapi.json is written from openapi.yaml when the classes are built");
    assertEquals(parsed.routerSpec(), shipped.routerSpec());
    assertNotNull(ApiContract.class.getClassLoader().getResource(ApiContract.JSON_RESOURCE), "the build writes it");
  }
}
