package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.testing.Eventually;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.Test;

/**
 * A database outage, made by refusing and terminating the broker's own connections to its own
 * database (the server other tests use keeps running): every API call that needs the database
 * answers 503 {@code database_unavailable} with Retry-After, /readyz turns 503, and when the
 * database accepts connections again both recover without a restart and nothing stored is lost.
 */
class DatabaseOutageTest {

  @Test
  void anOutageIsA503AndTheBrokerRecoversOnItsOwn() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      var created = broker.admin().post("/generators", new JsonObject().put("name", "kept-through-outage"));
      assertEquals(201, created.statusCode(), created.bodyAsString());
      String generatorId = created.bodyAsJsonObject().getJsonObject("generator").getString("id");
      assertEquals(200, broker.anonymous().get("/readyz").statusCode());

      long outageStarted = System.nanoTime();
      outage(broker.database, true);
      Eventually.value(() -> broker.anonymous().get("/readyz").statusCode() == 503 ? true : null);
      long downMillis = (System.nanoTime() - outageStarted) / 1_000_000;

      assertUnavailable(broker.admin().get("/generators"));
      assertUnavailable(broker.admin().post("/generators", new JsonObject().put("name", "during-outage")));
      assertUnavailable(broker.as(Pak.mint(Pak.Format.DEFAULT).pak()).get("/agents"));
      assertEquals("database unavailable", broker.anonymous().get("/readyz").bodyAsString());
      assertEquals(200, broker.anonymous().get("/healthz").statusCode(), "the process itself is alive");

      long outageEnded = System.nanoTime();
      outage(broker.database, false);
      Eventually.value(() -> broker.anonymous().get("/readyz").statusCode() == 200 ? true : null);
      long upMillis = (System.nanoTime() - outageEnded) / 1_000_000;
      HttpResponse<Buffer> after = Eventually.value(() -> {
        var r = broker.admin().get("/generators/" + generatorId);
        return r.statusCode() == 200 ? r : null;
      });
      assertEquals("kept-through-outage", after.bodyAsJsonObject().getString("name"));
      var list = broker.admin().get("/generators");
      assertEquals(200, list.statusCode());
      assertTrue(list.bodyAsJsonArray().stream().noneMatch(o -> "during-outage".equals(((JsonObject) o).getString("name"))),
          "the refused write did not happen");
      System.out.printf("database outage: /readyz 503 after %d ms, 200 again %d ms after recovery%n", downMillis, upMillis);
    }
  }

  private static void assertUnavailable(HttpResponse<Buffer> r) {
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertEquals("database_unavailable", r.bodyAsJsonObject().getString("code"), r.bodyAsString());
    assertNotNull(r.bodyAsJsonObject().getString("message"));
    assertEquals("1", r.getHeader("Retry-After"));
  }

  /** Starts (refuses new connections and ends the open ones) or ends an outage of one database. */
  private static void outage(DatabaseTarget db, boolean on) throws Exception {
    DatabaseTarget admin = db.withDatabase("postgres");
    try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
         Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + db.database() + " ALLOW_CONNECTIONS " + (on ? "false" : "true"));
      if (on) {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.database() + "'");
      }
    }
  }
}
