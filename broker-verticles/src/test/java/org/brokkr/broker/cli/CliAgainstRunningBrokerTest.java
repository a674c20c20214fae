package org.brokkr.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CLI beside a running broker whose PAK cache lives an hour: what the CLI creates works on the
 * broker at once, and what it rotates stops working there at once, not when the cache expires.
 */
class CliAgainstRunningBrokerTest {
  static TestBroker broker;
  static Fixtures fx;
  static Map<String, String> env;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.auth_cache_ttl_seconds", "3600"));
    fx = new Fixtures(broker);
    env = CliRun.env(broker.database);
  }

  @AfterAll
  static void stop() {
    broker.closeKeepingDatabase();
    TestDatabase.drop(broker.database);
  }

  private static int verify(String pak) {
    return broker.as(pak).post("/auth/pak", null).statusCode();
  }

  /** Serves the PAK from the broker's cache from now on. */
  private static void warm(String pak) {
    assertEquals(200, verify(pak));
    assertEquals(200, verify(pak));
  }

  /**
   * The revocation travels as a NOTIFY that the broker receives a moment after the commit, so the
   * first request may just precede it; far below the hour the cache would otherwise keep the PAK.
   */
  static void refusedAtOnce(TestBroker on, String pak) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    while (on.as(pak).post("/auth/pak", null).statusCode() != 401) {
      if (System.nanoTime() > deadline) {
        fail("the old PAK is still accepted 500 ms after the CLI returned");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void createdIdentitiesWorkOnTheBroker() {
    CliRun gen = CliRun.of(env, "create", "generator", "--name", "cli-gen").ok();
    var me = broker.as(gen.field("Initial PAK")).post("/auth/pak", null);
    assertEquals(200, me.statusCode());
    assertEquals(gen.field("ID"), me.bodyAsJsonObject().getString("generator"));

    CliRun agent = CliRun.of(env, "create", "agent", "--name", "cli-agent", "--cluster-name", "c1",
        "--generator-ids", gen.field("ID")).ok();
    assertEquals("system (fleet scope), " + gen.field("ID"), agent.field("Registered with"));
    assertEquals("", agent.err(), "no warning once the broker provisioned the system generator");
    var self = broker.as(agent.field("Initial PAK")).get("/agents/" + agent.field("ID"));
    assertEquals(200, self.statusCode(), self.bodyAsString());
    assertEquals("c1", self.bodyAsJsonObject().getString("cluster_name"));
    var registered = broker.as(gen.field("Initial PAK")).get("/generators/" + gen.field("ID") + "/registered-agents");
    assertEquals(agent.field("ID"), registered.bodyAsJsonArray().getJsonObject(0).getString("agent_id"));
  }

  @Test
  void aRotatedAgentPakIsRefusedByTheRunningBroker() throws Exception {
    var agent = fx.agent(List.of());
    warm(agent.pak());
    CliRun run = CliRun.of(env, "rotate", "agent", "--uuid", agent.id()).ok();
    refusedAtOnce(broker, agent.pak());
    assertEquals(200, verify(run.field("New PAK")));
  }

  @Test
  void aRotatedGeneratorPakIsRefusedByTheRunningBroker() throws Exception {
    var gen = fx.generator();
    warm(gen.pak());
    CliRun run = CliRun.of(env, "rotate", "generator", "--uuid", gen.id()).ok();
    refusedAtOnce(broker, gen.pak());
    assertEquals(200, verify(run.field("New PAK")));
  }

  @Test
  void theSystemGeneratorHasNoPakToRotate() {
    String system = Sql.scalar(broker.database, "SELECT id::text FROM generators WHERE is_system");
    String line = CliRun.of(env, "rotate", "generator", "--uuid", system).oneErrorLine(1);
    assertTrue(line.contains("system generator"), line);
  }
}
