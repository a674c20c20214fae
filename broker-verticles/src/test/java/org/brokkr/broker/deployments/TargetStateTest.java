package org.brokkr.broker.deployments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TargetStateTest {
  static TestBroker broker;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static JsonArray targetState(Fixtures.Agent agent, String mode) {
    var r = broker.as(agent.pak()).get("/agents/" + agent.id() + "/target-state" + (mode == null ? "" : "?mode=" + mode));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray();
  }

  private static void report(Fixtures.Agent agent, String objectId, String status) {
    var r = broker.as(agent.pak()).post("/agents/" + agent.id() + "/events", new JsonObject()
        .put("agent_id", agent.id()).put("deployment_object_id", objectId)
        .put("event_type", "DEPLOY").put("status", status));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  @Test
  void labelMatchServesLatestObjectUntilSuccessIsReported() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "env:prod");
    fx.labelAgent(agent.id(), "env:prod");
    fx.deploymentObject(gen, stack, Fixtures.configMap("one"));
    JsonObject latest = fx.deploymentObject(gen, stack, Fixtures.configMap("two"));

    JsonArray served = targetState(agent, null);
    assertEquals(1, served.size(), "only the latest object of the stack is served");
    assertEquals(latest.getString("id"), served.getJsonObject(0).getString("id"));

    report(agent, latest.getString("id"), "FAILURE");
    assertEquals(1, targetState(agent, null).size(), "a failed apply is served again");

    report(agent, latest.getString("id"), "SUCCESS");
    assertEquals(0, targetState(agent, null).size(), "a successful apply hides the object");
    assertEquals(1, targetState(agent, "full").size(), "full mode still serves it");
  }

  @Test
  void noRegistrationMeansNoLabelMatch() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "tier:web");
    fx.labelAgent(agent.id(), "tier:web");
    fx.deploymentObject(gen, stack, Fixtures.configMap("x"));
    assertEquals(0, targetState(agent, "full").size());
  }

  @Test
  void deletedStackServesItsMarkerUntilTheAgentAppliesIt() {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "app:x");
    fx.labelAgent(agent.id(), "app:x");
    JsonObject obj = fx.deploymentObject(gen, stack, Fixtures.configMap("x"));
    report(agent, obj.getString("id"), "SUCCESS");

    assertEquals(204, broker.as(gen.pak()).delete("/stacks/" + stack).statusCode());
    JsonArray served = targetState(agent, null);
    assertEquals(1, served.size(), served.encode());
    JsonObject marker = served.getJsonObject(0);
    assertTrue(marker.getBoolean("is_deletion_marker"));
    assertEquals(stack, marker.getString("stack_id"));
    assertEquals("", marker.getString("yaml_content"));

    report(agent, marker.getString("id"), "SUCCESS");
    assertEquals(0, targetState(agent, null).size());
    assertEquals(0, targetState(agent, "full").size(), "once applied, the marker is settled");
  }

  @Test
  void anotherAgentCannotReadTargetState() {
    var gen = fx.generator();
    var a = fx.agent(List.of(gen.id()));
    var b = fx.agent(List.of(gen.id()));
    var r = broker.as(b.pak()).get("/agents/" + a.id() + "/target-state");
    assertEquals(403, r.statusCode());
    assertEquals("agent_pak_mismatch", r.bodyAsJsonObject().getString("code"));
  }
}
