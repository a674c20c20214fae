package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The router's failure pages: a client error is never logged with a stack trace, a stack overflow in one line. */
class ErrorPagesLoggingTest {
  static Vertx vertx;
  static HttpServer server;
  static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    ErrorPages pages = new ErrorPages(vertx, new ClientInfo(List.of()));
    Router router = Router.router(vertx);
    router.get("/bad").handler(ctx -> ctx.fail(400, new IllegalArgumentException("bad\ninput")));
    router.get("/overflow").handler(ctx -> {
      throw new StackOverflowError();
    });
    router.get("/bug").handler(ctx -> {
      throw new IllegalStateException("a bug");
    });
    router.route().failureHandler(pages::handle);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static HttpResponse<Buffer> get(String path) throws Exception {
    return client.get(server.actualPort(), "127.0.0.1", path).send().await(30, TimeUnit.SECONDS);
  }

  @Test
  void aClientErrorLogsNoStackTrace() throws Exception {
    try (LogCapture log = new LogCapture()) {
      var r = get("/bad");
      assertEquals(400, r.statusCode());
      assertEquals("invalid_request", r.bodyAsJsonObject().getString("code"));
      assertEquals(List.of(), log.errors());
      assertEquals(List.of(), log.entriesWithStackTraces());
    }
  }

  @Test
  void aStackOverflowIsOneErrorLineWithoutFrames() throws Exception {
    try (LogCapture log = new LogCapture()) {
      var r = get("/overflow");
      assertEquals(500, r.statusCode());
      assertEquals("internal_error", r.bodyAsJsonObject().getString("code"));
      List<LogCapture.Entry> errors = log.errors().stream().filter(e -> e.logger().endsWith("ErrorPages")).toList();
      assertEquals(1, errors.size(), log.entries().toString());
      assertNull(errors.get(0).throwable(), errors.toString());
      assertTrue(errors.get(0).message().contains("StackOverflowError"), errors.toString());
      assertEquals(List.of(), log.entriesWithStackTraces());
    }
  }

  @Test
  void anotherServerErrorKeepsItsStackTrace() throws Exception {
    try (LogCapture log = new LogCapture()) {
      assertEquals(500, get("/bug").statusCode());
      List<LogCapture.Entry> errors = log.errors().stream().filter(e -> e.logger().endsWith("ErrorPages")).toList();
      assertEquals(1, errors.size(), log.entries().toString());
      assertEquals(IllegalStateException.class.getName(), errors.get(0).throwable());
    }
  }
}
