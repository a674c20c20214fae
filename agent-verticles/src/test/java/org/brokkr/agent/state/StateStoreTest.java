package org.brokkr.agent.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  private final Vertx vertx = TestVertx.create();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void whatWasSavedIsThereAfterARestart(@TempDir Path dir) throws Exception {
    StateStore first = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    first.bindTo("agent-1");
    first.agentStatus("ACTIVE");
    first.stacks().put("s1", new AppliedStack("o1", "sum", true, List.of(new ObjectRef("v1", "ConfigMap", "default", "cm"))));
    first.pendingEvents().add(new JsonObject().put("deployment_object_id", "o1").put("status", "SUCCESS"));
    first.lastTargetState(new JsonArray().add(new JsonObject().put("id", "o1")));
    first.save().await(5, TimeUnit.SECONDS);

    StateStore second = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    assertEquals("agent-1", second.agentId());
    assertEquals("ACTIVE", second.agentStatus());
    assertEquals(first.stacks(), second.stacks());
    assertEquals(1, second.pendingEvents().size());
    assertEquals(1, second.lastTargetState().size());
  }

  @Test
  void stateOfAnotherAgentIsDiscarded(@TempDir Path dir) throws Exception {
    StateStore first = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    first.bindTo("agent-1");
    first.stacks().put("s1", new AppliedStack("o1", "sum", true, List.of()));
    first.save().await(5, TimeUnit.SECONDS);
    StateStore other = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    other.bindTo("agent-2");
    assertTrue(other.stacks().isEmpty());
  }

  @Test
  void anUnchangedStateIsNotRewritten(@TempDir Path dir) throws Exception {
    StateStore store = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    store.bindTo("agent-1");
    store.save().await(5, TimeUnit.SECONDS);
    Path file = dir.resolve("state.json");
    Files.setLastModifiedTime(file, FileTime.fromMillis(0));
    store.save().await(5, TimeUnit.SECONDS);
    assertEquals(0, Files.getLastModifiedTime(file).toMillis());
    store.agentStatus("ACTIVE");
    store.save().await(5, TimeUnit.SECONDS);
    assertTrue(Files.getLastModifiedTime(file).toMillis() > 0);
  }

  @Test
  void ownedObjectsAreEverySucceededStackNotJustTheLastApplied(@TempDir Path dir) throws Exception {
    StateStore store = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    store.bindTo("agent-1");
    ObjectRef cm = new ObjectRef("v1", "ConfigMap", "apps", "cm");
    store.stacks().put("s1", new AppliedStack("o1", "sum1", true, List.of(cm)));
    store.stacks().put("s2", new AppliedStack("o2", "sum2", true, List.of(cm)));
    store.stacks().put("s3", new AppliedStack("o3", "sum3", false, List.of(cm)));
    store.stacks().put("s4", new AppliedStack("o4", "sum4", true, List.of()));
    assertTrue(store.owned().isEmpty(), "published on save, not while the deployment loop is changing it");
    store.save().await(5, TimeUnit.SECONDS);
    assertEquals(List.of("o1", "o2"), List.copyOf(store.owned().keySet()), "failed applies and deletion markers own nothing");
    assertEquals(new OwnedDeploymentObject("o2", "s2", List.of(cm)), store.owned().get("o2"));

    StateStore reopened = StateStore.open(vertx, dir.toString()).await(5, TimeUnit.SECONDS);
    assertEquals(store.owned(), reopened.owned(), "known again right after a restart");
    reopened.bindTo("agent-2");
    assertTrue(reopened.owned().isEmpty());
  }
}
