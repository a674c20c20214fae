package org.brokkr.broker.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two broker replicas on one database: simultaneous claims of one diagnostic request, spread
 * over both, have exactly one winner (the reference let two of eight win).
 */
class DiagnosticClaimRaceTest {
  private static final int CLAIMS = 16;
  private static final int ROUNDS = 5;

  static TestBroker a;
  static TestBroker b;
  static Fixtures fx;

  @BeforeAll
  static void start() {
    a = TestBroker.start();
    b = TestBroker.start(a.database, Map.of("broker.pak_hash", Pak.hashOfPresented(a.adminPak).orElseThrow()));
    fx = new Fixtures(a);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @Test
  void simultaneousClaimsOnTwoBrokersHaveExactlyOneWinner() throws Exception {
    var gen = fx.generator();
    var agent = fx.agent(List.of(gen.id()));
    String stack = fx.stack(gen);
    String object = fx.deploymentObject(gen, stack, Fixtures.configMap("race")).getString("id");
    for (int round = 0; round < ROUNDS; round++) {
      var created = a.admin().post("/deployment-objects/" + object + "/diagnostics", new JsonObject().put("agent_id", agent.id()));
      assertEquals(201, created.statusCode(), created.bodyAsString());
      String id = created.bodyAsJsonObject().getString("id");

      List<Future<HttpResponse<Buffer>>> claims = new ArrayList<>();
      for (int i = 0; i < CLAIMS; i++) {
        WebClient client = (i % 2 == 0 ? a : b).client;
        claims.add(client.post("/api/v1/diagnostics/" + id + "/claim")
            .putHeader("Authorization", "Bearer " + agent.pak()).send());
      }
      Future.join(claims).await(60, TimeUnit.SECONDS);
      int won = 0;
      int conflicts = 0;
      for (Future<HttpResponse<Buffer>> claim : claims) {
        HttpResponse<Buffer> r = claim.result();
        if (r.statusCode() == 200) {
          won++;
        } else if (r.statusCode() == 409 && "diagnostic_already_claimed".equals(r.bodyAsJsonObject().getString("code"))) {
          conflicts++;
        }
      }
      assertEquals(1, won, "round " + round + ": exactly one claim wins");
      assertEquals(CLAIMS - 1, conflicts, "round " + round + ": every other claim conflicts");
      long audited = a.broker.pool().preparedQuery("SELECT count(*) FROM audit_logs WHERE action = 'diagnostic.claimed' AND resource_id = $1")
          .execute(Tuple.of(UUID.fromString(id))).await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
      assertEquals(1, audited, "one claim, one audit row");
    }
  }
}
