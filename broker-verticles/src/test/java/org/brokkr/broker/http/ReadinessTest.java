package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.Test;

/** /readyz: not ready while starting, ready once started, not ready when the database stops answering. */
class ReadinessTest {

  @Test
  void notReadyBeforeStartupCompletes() throws Exception {
    assertFalse(new Readiness().check().await(5, TimeUnit.SECONDS));
  }

  @Test
  void notReadyWhenTheDatabaseDoesNotAnswer() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    Vertx vertx = TestVertx.create();
    try {
      Pool pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(deadPort)
          .setUser("x").setPassword("x").setDatabase("x")).using(vertx).build();
      Readiness readiness = new Readiness();
      readiness.started(vertx, pool);
      assertFalse(readiness.check().await(5, TimeUnit.SECONDS));
      readiness.stop();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRunningBrokerIsReadyAndAnswersProbesWithoutAuth() {
    try (TestBroker broker = TestBroker.start()) {
      var ready = broker.anonymous().get("/readyz");
      assertTrue(ready.statusCode() == 200 && "Ready".equals(ready.bodyAsString()), ready.bodyAsString());
    }
  }
}
