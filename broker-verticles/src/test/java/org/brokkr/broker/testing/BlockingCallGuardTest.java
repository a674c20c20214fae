package org.brokkr.broker.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;

/** The guard every test runs under: a blocking call on an event loop is caught and attributed; on a worker it is fine. */
class BlockingCallGuardTest {
  private final Vertx vertx = TestVertx.create();

  @TempDir
  Path dir;

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aSleepOnAnEventLoopFailsAtTheCallAndIsReportedWithItsFrame() throws Exception {
    Throwable thrown = onEventLoop(() -> {
      Thread.sleep(1);
      return null;
    });

    assertInstanceOf(BlockingOperationError.class, thrown);
    List<BlockingCalls.Call> calls = BlockingCalls.drain();
    assertEquals(1, calls.size(), calls.toString());
    String report = calls.get(0).describe(10);
    assertTrue(report.startsWith("Blocking call! java.lang.Thread.sleep on thread vert.x-eventloop-thread-"), report);
    assertTrue(report.contains("from org.brokkr.broker.testing.BlockingCallGuardTest"), report);
  }

  @Test
  void aFileReadOnAnEventLoopIsReported() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "x");

    Throwable thrown = onEventLoop(() -> Files.readString(file));

    assertInstanceOf(BlockingOperationError.class, thrown);
    List<BlockingCalls.Call> calls = BlockingCalls.drain();
    assertEquals(1, calls.size(), calls.toString());
    assertTrue(calls.get(0).describe(10).startsWith("Blocking call! sun.nio.ch.FileChannelImpl#read"), calls.toString());
  }

  @Test
  void theSameCallsInExecuteBlockingAreFine() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "x");

    String read = vertx.executeBlocking(() -> {
      Thread.sleep(1);
      return Files.readString(file);
    }).await(10, TimeUnit.SECONDS);

    assertEquals("x", read);
    assertEquals(List.of(), BlockingCalls.drain());
  }

  /** Runs the call on an event loop and returns what it threw (null when it did not). */
  private Throwable onEventLoop(Callable<?> call) throws Exception {
    Promise<Throwable> outcome = Promise.promise();
    vertx.runOnContext(v -> {
      try {
        call.call();
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    });
    return outcome.future().await(10, TimeUnit.SECONDS);
  }
}
