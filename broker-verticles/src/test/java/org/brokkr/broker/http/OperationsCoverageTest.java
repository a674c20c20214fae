package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.brokkr.broker.ResourceCatalog;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.Test;

/**
 * Every operation of openapi.yaml is routed to a verticle that really handles it, and no more. The
 * routing is learned from the same verticles the broker deploys (the router would otherwise
 * answer an unhandled operation with 503).
 */
class OperationsCoverageTest {
  private static final BrokerConfig CONFIG = BrokerConfig.from(Settings.of(Map.of()));

  private static List<ResourceVerticle> deployed() {
    return ResourceCatalog.verticles(CONFIG, () -> null, null, null, null, null).stream().map(s -> s.get()).toList();
  }

  private static Set<String> contractOperations() {
    JsonObject paths = ApiContract.load().json().getJsonObject("paths");
    Set<String> ops = new HashSet<>();
    for (String p : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(p);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject op && op.containsKey("operationId")) {
          ops.add(op.getString("operationId"));
        }
      }
    }
    return ops;
  }

  @Test
  void everyContractOperationHasExactlyOneHandlerAndNoHandlerIsOutsideTheContract() {
    Operations operations = Operations.of(deployed());
    assertEquals(contractOperations(), operations.ids());
    for (ResourceVerticle v : deployed()) {
      for (String op : v.operations()) {
        assertEquals(v.address(), operations.owner(op), op);
      }
    }
  }

  @Test
  void anOperationClaimedTwiceStopsStartup() {
    List<ResourceVerticle> twice = new java.util.ArrayList<>(deployed());
    ResourceVerticle stacks = twice.stream().filter(v -> v.operations().contains("list_stacks")).findFirst().orElseThrow();
    twice.add(new ResourceVerticle() {
      @Override
      public String address() {
        return "elsewhere";
      }

      @Override
      protected void defineOperations() {
        on("list_stacks", req -> null);
      }
    });
    assertTrue(stacks.operations().contains("list_stacks"));
    assertThrows(IllegalStateException.class, () -> Operations.of(twice));
  }
}
