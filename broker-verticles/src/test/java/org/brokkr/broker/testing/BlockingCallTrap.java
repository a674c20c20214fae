package org.brokkr.broker.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test (or, outside any test, the class) during which code blocked an event loop,
 * with the blocking method and its stack. Registered for every test class through extension
 * auto-detection; BlockHound itself is installed when the test run starts.
 */
public final class BlockingCallTrap implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private static final int FRAMES = 25;

  @Override
  public void beforeAll(ExtensionContext context) {
    // Normally done by BlockingGuardSession already; this covers launchers that skip session listeners.
    BlockingCalls.install();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    failOn(BlockingCalls.drain(), context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    failOn(BlockingCalls.drain(), context);
  }

  private static void failOn(List<BlockingCalls.Call> calls, ExtensionContext context) {
    if (calls.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder()
        .append(calls.size()).append(" blocking call(s) on an event loop during ").append(context.getDisplayName());
    for (BlockingCalls.Call call : calls) {
      message.append("\n  ").append(call.describe(FRAMES));
    }
    AssertionError failure = new AssertionError(message.toString(), calls.get(0).error());
    calls.stream().skip(1).forEach(c -> failure.addSuppressed(c.error()));
    throw failure;
  }
}
