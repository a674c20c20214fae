package org.brokkr.broker.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.LocalCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whatever a handler throws or fails with, the caller gets a reply: an ErrorResponse failure.
 * Refusals are not logged as errors; unexpected failures are, in one entry, and a stack overflow
 * without its thousands of frames.
 */
class ResourceVerticleFailureTest {
  private static final String ADDRESS = "test.failing";
  static Vertx vertx;

  /** A verticle whose operations fail in every way a handler can. */
  static final class Failing extends ResourceVerticle {
    @Override
    public String address() {
      return ADDRESS;
    }

    @Override
    protected void defineOperations() {
      on("refused", req -> {
        throw ApiError.invalid("invalid_thing", "the thing is invalid");
      });
      on("overflow_thrown", req -> {
        throw new StackOverflowError();
      });
      on("overflow_in_future", req -> Future.succeededFuture().map(v -> {
        throw new StackOverflowError();
      }));
      on("bug", req -> {
        throw new IllegalStateException("a bug\nspanning lines");
      });
      on("error_thrown", req -> {
        throw new AssertionError("an error");
      });
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx.eventBus());
    vertx.deployVerticle(new Failing()).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static ReplyException call(String operation) {
    ApiRequest request = new ApiRequest(operation, Identity.ADMIN, Map.of(), Map.of(), null, null, null, null, null, null);
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> vertx.eventBus().request(ADDRESS, request).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof ReplyException, String.valueOf(e.getCause()));
    return (ReplyException) e.getCause();
  }

  private static void assertInternal(ReplyException reply) {
    assertEquals(Failure.INTERNAL.number(), reply.failureCode());
    JsonObject body = new JsonObject(reply.getMessage());
    assertEquals("internal_error", body.getString("code"));
    assertFalse(reply.getMessage().contains("Error") || reply.getMessage().contains("\tat "), reply.getMessage());
  }

  @Test
  void aRefusalIsA400ReplyAndNoErrorInTheLog() {
    try (LogCapture log = new LogCapture()) {
      ReplyException reply = call("refused");
      assertEquals(Failure.INVALID.number(), reply.failureCode());
      assertEquals("invalid_thing", new JsonObject(reply.getMessage()).getString("code"));
      assertEquals(List.of(), log.errors());
      assertEquals(List.of(), log.entriesWithStackTraces());
    }
  }

  @Test
  void aStackOverflowIsA500LoggedInOneLine() {
    for (String operation : List.of("overflow_thrown", "overflow_in_future")) {
      try (LogCapture log = new LogCapture()) {
        assertInternal(call(operation));
        List<LogCapture.Entry> errors = log.errors();
        assertEquals(1, errors.size(), errors.toString());
        assertNull(errors.get(0).throwable(), errors.toString());
        assertTrue(errors.get(0).message().contains("operation=" + operation), errors.toString());
        assertTrue(errors.get(0).message().contains("StackOverflowError"), errors.toString());
        assertEquals(List.of(), log.entriesWithStackTraces());
      }
    }
  }

  @Test
  void otherUnexpectedFailuresAreA500WithOneStackTrace() {
    for (String operation : List.of("bug", "error_thrown")) {
      try (LogCapture log = new LogCapture()) {
        assertInternal(call(operation));
        List<LogCapture.Entry> errors = log.errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).throwable() != null, errors.toString());
        assertFalse(errors.get(0).message().contains("\n"), errors.toString());
      }
    }
  }
}
