package org.brokkr.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.Agent;
import org.brokkr.agent.live.LiveState;
import org.brokkr.agent.testing.AgentHarness;
import org.brokkr.agent.testing.Eventually;
import org.brokkr.agent.testing.FakeLiveBroker;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.OwnershipAnnotations;
import org.brokkr.codecs.live.WsFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes Events of objects the agent applied reach the live socket as {@code k8s_event}
 * frames with their stack; Events of objects it does not own do not. A real API server and a
 * real broker (REST); a stand-in socket server captures the frames (the broker on this branch does
 * not take them yet).
 */
@ExtendWith(KubeApiServer.Extension.class)
class KubeEventShipperApiServerTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private TestBroker broker;
  private AgentHarness agents;
  private FakeLiveBroker live;

  @AfterEach
  void tearDown() throws Exception {
    if (agents != null) {
      agents.close();
    }
    if (live != null) {
      live.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void eventsOfOwnedObjectsBecomeFramesWithTheirStack(KubeApiServer apiServer, @TempDir Path stateDir) throws Exception {
    broker = TestBroker.start();
    live = new FakeLiveBroker();
    Fixtures fx = new Fixtures(broker);
    var gen = fx.generator();
    String name = "agent-" + UUID.randomUUID().toString().substring(0, 8);
    var created = broker.admin().post("/agents", new JsonObject().put("name", name).put("cluster_name", "cluster-1")
        .put("generator_ids", new JsonArray().add(gen.id()))).bodyAsJsonObject();
    var identity = new Fixtures.Agent(created.getJsonObject("agent").getString("id"), created.getString("initial_pak"));
    broker.admin().put("/agents/" + identity.id(), new JsonObject().put("status", "ACTIVE"));
    String stack = fx.stack(gen);
    fx.labelStack(gen, stack, "events");
    fx.labelAgent(identity.id(), "events");
    String owned = "evt-owned-" + UUID.randomUUID().toString().substring(0, 8);
    fx.deploymentObject(gen, stack, Fixtures.configMap(owned));

    agents = new AgentHarness(apiServer);
    Agent agent = agents.start(broker.broker.port(), identity, name, stateDir, 5, Map.of("agent.ws_url", live.url()));
    Eventually.holds(WAIT, "socket up", () -> agent.runtime().liveState() == LiveState.UP);
    try (KubernetesClient kube = apiServer.client()) {
      Eventually.holds(WAIT, "object applied", () -> kube.configMaps().inNamespace("default").withName(owned).get() != null);
      ConfigMap ours = kube.configMaps().inNamespace("default").withName(owned).get();
      // the same stack annotation, but not stamped by this agent
      String foreign = "evt-foreign-" + UUID.randomUUID().toString().substring(0, 8);
      ConfigMap theirs = kube.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
          .withNewMetadata().withName(foreign).withNamespace("default")
          .addToAnnotations(OwnershipAnnotations.STACK, stack)
          .addToAnnotations(OwnershipAnnotations.OWNER_ID, UUID.randomUUID().toString())
          .endMetadata().addToData("k", "v").build()).create();

      event(kube, theirs, "NotOurs");
      event(kube, ours, "FirstOfOurs");
      Eventually.holds(WAIT, "the owned object's event is shipped", () -> !frames("FirstOfOurs").isEmpty());
      event(kube, ours, "SecondOfOurs");
      Eventually.holds(WAIT, "a later one too (from the cache)", () -> !frames("SecondOfOurs").isEmpty());

      JsonObject body = frames("FirstOfOurs").get(0).body();
      assertEquals(identity.id(), body.getString("agent_id"));
      assertEquals(stack, body.getString("stack_id"));
      assertEquals("Warning", body.getString("event_type"));
      assertEquals("brokkr-test", body.getString("source"));
      assertEquals("something happened to " + owned, body.getString("message"));
      JsonObject involved = body.getJsonObject("involved_object");
      assertEquals("v1", involved.getString("api_version"));
      assertEquals("ConfigMap", involved.getString("kind"));
      assertEquals("default", involved.getString("namespace"));
      assertEquals(owned, involved.getString("name"));
      assertEquals(ours.getMetadata().getUid(), involved.getString("uid"));
      assertTrue(frames("NotOurs").isEmpty(), "an object this agent does not own is not shipped");
    }
  }

  private List<WsFrame> frames(String reason) {
    return live.received("k8s_event").stream().filter(f -> reason.equals(f.body().getString("reason"))).toList();
  }

  private static void event(KubernetesClient kube, ConfigMap about, String reason) {
    kube.v1().events().inNamespace("default").resource(new EventBuilder()
        .withNewMetadata().withGenerateName("brokkr-test-").withNamespace("default").endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
            .withNamespace("default").withName(about.getMetadata().getName()).withUid(about.getMetadata().getUid()).build())
        .withReason(reason)
        .withMessage("something happened to " + about.getMetadata().getName())
        .withType("Warning")
        .withNewSource().withComponent("brokkr-test").endSource()
        .withLastTimestamp("2026-01-01T00:00:00Z")
        .build()).create();
  }
}
