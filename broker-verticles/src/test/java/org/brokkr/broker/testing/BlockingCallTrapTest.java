package org.brokkr.broker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import reactor.blockhound.BlockingOperationError;

/** The trap fails exactly the test that blocked an event loop, even when Vert.x swallowed the error. */
class BlockingCallTrapTest {

  @Test
  void theTestThatBlockedFailsNamingTheBlockingFrame() {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(Sample.class))
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .build(), listener);

    TestExecutionSummary summary = listener.getSummary();
    assertEquals(2, summary.getTestsSucceededCount() + summary.getTestsFailedCount());
    List<TestExecutionSummary.Failure> failures = summary.getFailures();
    assertEquals(1, failures.size(), failures.toString());
    assertEquals("blocksAndVertxOnlyLogsIt()", failures.get(0).getTestIdentifier().getDisplayName());
    Throwable failure = failures.get(0).getException();
    assertInstanceOf(AssertionError.class, failure);
    assertTrue(failure.getMessage().contains("Blocking call! java.lang.Thread.sleep on thread vert.x-eventloop-thread-")
        && failure.getMessage().contains("from " + Sample.class.getName() + ".sleep("), failure.getMessage());
    assertInstanceOf(BlockingOperationError.class, failure.getCause());
    assertEquals(List.of(), BlockingCalls.drain());
  }

  /** Run only through the launcher above (surefire skips nested classes). */
  static class Sample {
    @Test
    void blocksAndVertxOnlyLogsIt() throws Exception {
      Vertx vertx = TestVertx.create();
      try {
        Context loop = vertx.getOrCreateContext();
        Promise<Void> after = Promise.promise();
        loop.runOnContext(v -> sleep());
        loop.runOnContext(v -> after.complete());
        after.future().await(10, TimeUnit.SECONDS);
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }

    @Test
    void doesNotBlock() {
    }

    private static void sleep() {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
