package org.brokkr.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rotated or deleted PAK is refused by the replica that answered the rotation as soon as the
 * answer arrives, even when the PAK was cached. Repeated because the stale window is short.
 */
class PakRevocationTest {
  private static final int ROUNDS = 30;
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

  @Test
  void agentPakIsRefusedRightAfterRotationAndDeletion() {
    for (int i = 0; i < ROUNDS; i++) {
      var agent = fx.agent(List.of());
      String self = "/agents/" + agent.id();
      assertEquals(200, broker.as(agent.pak()).get(self).statusCode(), "cache the PAK");
      assertEquals(200, broker.as(agent.pak()).post(self + "/rotate-pak", null).statusCode());
      assertEquals(401, broker.as(agent.pak()).get(self).statusCode(), "round " + i + ": rotated PAK still accepted");

      var doomed = fx.agent(List.of());
      assertEquals(200, broker.as(doomed.pak()).get("/agents/" + doomed.id()).statusCode());
      assertEquals(204, broker.admin().delete("/agents/" + doomed.id()).statusCode());
      assertEquals(401, broker.as(doomed.pak()).post("/auth/pak", null).statusCode(), "round " + i + ": deleted agent's PAK still accepted");
    }
  }

  @Test
  void generatorPakIsRefusedRightAfterRotationAndDeletion() {
    for (int i = 0; i < ROUNDS; i++) {
      var gen = fx.generator();
      String self = "/generators/" + gen.id();
      assertEquals(200, broker.as(gen.pak()).get(self).statusCode(), "cache the PAK");
      assertEquals(201, broker.as(gen.pak()).post(self + "/rotate-pak", null).statusCode());
      assertEquals(401, broker.as(gen.pak()).get(self).statusCode(), "round " + i + ": rotated PAK still accepted");

      var doomed = fx.generator();
      assertEquals(200, broker.as(doomed.pak()).get("/generators/" + doomed.id()).statusCode());
      assertEquals(204, broker.admin().delete("/generators/" + doomed.id()).statusCode());
      assertEquals(401, broker.as(doomed.pak()).post("/auth/pak", null).statusCode(), "round " + i + ": deleted generator's PAK still accepted");
    }
  }
}
