package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.brokkr.broker.agents.AgentsVerticle;
import org.brokkr.broker.audit.AuditVerticle;
import org.brokkr.broker.auth.AuthCache;
import org.brokkr.broker.auth.AuthVerticle;
import org.brokkr.broker.deployments.DeploymentObjectsVerticle;
import org.brokkr.broker.events.AgentEventsVerticle;
import org.brokkr.broker.generators.GeneratorsVerticle;
import org.brokkr.broker.stacks.StacksVerticle;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.Test;

/** Every operation of openapi.yaml is routed to a verticle that really handles it, and no more. */
class OperationsCoverageTest {

  private static Map<String, ResourceVerticle> verticlesByAddress() {
    Map<String, ResourceVerticle> m = new HashMap<>();
    m.put(Addresses.AUTH, new AuthVerticle(null));
    m.put(Addresses.GENERATORS, new GeneratorsVerticle(null, Pak.Format.DEFAULT, null, true));
    m.put(Addresses.AGENTS, new AgentsVerticle(null, Pak.Format.DEFAULT, null));
    m.put(Addresses.STACKS, new StacksVerticle(null));
    m.put(Addresses.DEPLOYMENT_OBJECTS, new DeploymentObjectsVerticle(null, null));
    m.put(Addresses.AGENT_EVENTS, new AgentEventsVerticle(null));
    m.put(Addresses.AUDIT, new AuditVerticle(null));
    return m;
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
  void everyContractOperationHasAHandler() {
    Map<String, ResourceVerticle> verticles = verticlesByAddress();
    Set<String> ops = contractOperations();
    assertEquals(50, ops.size(), "openapi.yaml declares the broker-core operations");
    for (String op : ops) {
      String address = Operations.OWNER.get(op);
      assertTrue(address != null, op + " has no owning address");
      assertTrue(verticles.get(address).operations().contains(op), op + " is not handled at " + address);
    }
  }

  @Test
  void noHandlerServesAnOperationOutsideTheContract() {
    Set<String> ops = contractOperations();
    assertEquals(ops, Operations.OWNER.keySet());
    Set<String> handled = new HashSet<>();
    verticlesByAddress().values().forEach(v -> handled.addAll(v.operations()));
    assertEquals(ops, handled);
  }
}
