package org.brokkr.broker.generators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BROKKR__BROKER__AGENT_SELF_REGISTRATION: in open mode (the default, as the reference) an agent
 * may register itself with any generator whose id it knows and then receives that tenant's
 * label-matched stacks; in closed mode only admin registers agents, an agent's own register call
 * is 403 {@code self_registration_disabled}, and deregistering oneself stays allowed.
 */
class SelfRegistrationModesTest {

  @ParameterizedTest
  @ValueSource(strings = {"default", "open", "closed"})
  void registrationByEachCallerInEachMode(String mode) {
    Map<String, String> settings = mode.equals("default") ? Map.of() : Map.of("broker.agent_self_registration", mode);
    var db = TestDatabase.fresh();
    try (TestBroker broker = TestBroker.start(db, settings)) {
      Fixtures fx = new Fixtures(broker);
      boolean open = !mode.equals("closed");
      var tenant = fx.generator();
      String stack = fx.stack(tenant);
      fx.labelStack(tenant, stack, "tier:secret");
      fx.deploymentObject(tenant, stack, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: default\n");
      var agent = fx.agent(List.of());
      fx.labelAgent(agent.id(), "tier:secret");

      HttpResponse<Buffer> self = broker.as(agent.pak()).post("/generators/" + tenant.id() + "/register", null);
      if (open) {
        assertEquals(201, self.statusCode(), self.bodyAsString());
        assertEquals(1, targetState(broker, agent).size(), "a self-registered agent receives the tenant's matched stacks");
      } else {
        assertEquals(403, self.statusCode(), self.bodyAsString());
        assertEquals("self_registration_disabled", self.bodyAsJsonObject().getString("code"));
        assertFalse(registrations(broker, agent.id()).contains(tenant.id()), "nothing was registered");
        assertEquals(0, targetState(broker, agent).size(), "and nothing of the tenant is served");
        var unknown = broker.as(agent.pak()).post("/generators/" + UUID.randomUUID() + "/register", null);
        assertEquals("self_registration_disabled", unknown.bodyAsJsonObject().getString("code"),
            "closed mode does not reveal which generators exist");

        var byAdmin = broker.admin().post("/generators/" + tenant.id() + "/register", new JsonObject().put("agent_id", agent.id()));
        assertEquals(201, byAdmin.statusCode(), "admin still registers agents: " + byAdmin.bodyAsString());
        assertEquals(1, targetState(broker, agent).size());
      }
      var byGenerator = broker.as(tenant.pak()).post("/generators/" + tenant.id() + "/register",
          new JsonObject().put("agent_id", agent.id()));
      assertEquals(403, byGenerator.statusCode(), "a generator never registers agents: " + byGenerator.bodyAsString());

      var leave = broker.as(agent.pak()).send("DELETE", "/generators/" + tenant.id() + "/register", null, null);
      assertEquals(204, leave.statusCode(), "an agent may always deregister itself: " + leave.bodyAsString());
      assertFalse(registrations(broker, agent.id()).contains(tenant.id()));
      assertEquals(0, targetState(broker, agent).size());
    } finally {
      TestDatabase.drop(db);
    }
  }

  private static JsonArray targetState(TestBroker broker, Fixtures.Agent agent) {
    var r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/target-state?mode=full");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray();
  }

  private static Set<String> registrations(TestBroker broker, String agentId) {
    var r = broker.admin().get("/agents/" + agentId + "/registrations");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("generator_id")).collect(Collectors.toSet());
  }
}
