package org.brokkr.broker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/** Builders for the common objects of API tests, through the API itself. */
public final class Fixtures {
  private final TestBroker broker;

  public Fixtures(TestBroker broker) {
    this.broker = broker;
  }

  /** A generator and its PAK. */
  public record Generator(String id, String pak) {}

  /** An agent and its PAK. */
  public record Agent(String id, String pak) {}

  public Generator generator() {
    return generator("gen-" + UUID.randomUUID());
  }

  public Generator generator(String name) {
    var r = broker.admin().post("/generators", new JsonObject().put("name", name));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    return new Generator(body.getJsonObject("generator").getString("id"), body.getString("pak"));
  }

  public Agent agent(List<String> generatorIds) {
    var r = broker.admin().post("/agents", new JsonObject()
        .put("name", "agent-" + UUID.randomUUID()).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray(generatorIds)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    return new Agent(body.getJsonObject("agent").getString("id"), body.getString("initial_pak"));
  }

  public String stack(Generator owner) {
    return stack(owner, "stack-" + UUID.randomUUID());
  }

  public String stack(Generator owner, String name) {
    var r = broker.as(owner.pak()).post("/stacks", new JsonObject().put("name", name).put("generator_id", owner.id()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  public JsonObject deploymentObject(Generator owner, String stackId, String yaml) {
    var r = broker.as(owner.pak()).post("/stacks/" + stackId + "/deployment-objects",
        new JsonObject().put("yaml_content", yaml));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  public void labelStack(Generator owner, String stackId, String label) {
    var r = broker.as(owner.pak()).postRaw("/stacks/" + stackId + "/labels", "\"" + label + "\"", "application/json");
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  public void labelAgent(String agentId, String label) {
    var r = broker.admin().post("/agents/" + agentId + "/labels", new JsonObject().put("agent_id", agentId).put("label", label));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  public static String configMap(String name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n  namespace: default\ndata:\n  k: v\n";
  }
}
