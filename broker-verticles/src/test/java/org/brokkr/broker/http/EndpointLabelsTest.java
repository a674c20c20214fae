package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Endpoint labels are the contract's route templates, identifiers written as Brokkr writes them. */
class EndpointLabelsTest {
  @Test
  void parametersBecomeNamedPlaceholders() {
    assertEquals("/agents/:id/target-state", EndpointLabels.template("/agents/{id}/target-state"));
    assertEquals("/stacks/:id/deployment-objects/from-template",
        EndpointLabels.template("/stacks/{stack_id}/deployment-objects/from-template"));
    assertEquals("/agents/:id/labels/:label", EndpointLabels.template("/agents/{id}/labels/{label}"));
    assertEquals("/agents/", EndpointLabels.template("/agents/"));
  }

  @Test
  void everyOperationOfTheContractHasATemplateUnderApiV1() {
    JsonObject contract = ApiContract.load().json();
    EndpointLabels labels = EndpointLabels.from(contract);
    int operations = 0;
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        if (paths.getJsonObject(path).getValue(method) instanceof JsonObject op && op.getString("operationId") != null) {
          String label = labels.of(op.getString("operationId"));
          assertTrue(label.startsWith("/api/v1/") && !label.contains("{"), label);
          operations++;
        }
      }
    }
    assertTrue(operations > 50, "operations: " + operations);
    assertEquals("/api/v1/agents/:id/target-state", labels.of("get_target_state"));
    assertEquals(EndpointLabels.UNMATCHED, labels.of("no_such_operation"));
  }
}
