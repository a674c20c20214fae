package org.brokkr.broker.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.BlockingOperationError;

/**
 * BlockHound for the test JVM: a blocking call on a Vert.x event loop (Netty's integration marks
 * them non-blocking; workers may block) throws at the call site and is recorded here, so
 * {@link BlockingCallTrap} fails the test even where Vert.x only logs the error.
 */
public final class BlockingCalls {
  // Lock-free: the callback runs on the offending thread, and a lock could park it (itself a blocking call).
  private static final Queue<Call> RECORDED = new ConcurrentLinkedQueue<>();
  private static boolean installed;

  private BlockingCalls() {
  }

  /** One blocking call: the thread it blocked and the error thrown there (its trace starts at the call). */
  public record Call(String thread, BlockingOperationError error) {
    /** The blocking method, the thread, the first frame of project code, then the top of the stack. */
    public String describe(int frames) {
      StringBuilder b = new StringBuilder(error.getMessage()).append(" on thread ").append(thread);
      StackTraceElement[] stack = error.getStackTrace();
      Arrays.stream(stack).filter(f -> f.getClassName().startsWith("org.brokkr.")).findFirst()
          .ifPresent(f -> b.append(" from ").append(f));
      for (int i = 0; i < Math.min(frames, stack.length); i++) {
        b.append("\n    at ").append(stack[i]);
      }
      return b.toString();
    }
  }

  /** Installs BlockHound once per JVM; later calls do nothing. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    BlockHound.builder()
        .loadIntegrations(new KnownBlockingCalls())
        .blockingMethodCallback(BlockingCalls::onBlockingCall)
        .install();
    installed = true;
  }

  /** Everything recorded since the last drain, oldest first. */
  public static List<Call> drain() {
    List<Call> out = new ArrayList<>();
    for (Call c; (c = RECORDED.poll()) != null; ) {
      out.add(c);
    }
    return out;
  }

  private static void onBlockingCall(BlockingMethod method) {
    BlockingOperationError error = new BlockingOperationError(method);
    error.setStackTrace(fromCaller(error.getStackTrace()));
    RECORDED.add(new Call(Thread.currentThread().getName(), error));
    throw error;
  }

  /** Drops the frames of BlockHound and of this callback, so the trace starts at the blocking method. */
  private static StackTraceElement[] fromCaller(StackTraceElement[] stack) {
    for (int i = 0; i < stack.length; i++) {
      if (stack[i].getClassName().equals("reactor.blockhound.BlockHoundRuntime")) {
        return Arrays.copyOfRange(stack, i + 1, stack.length);
      }
    }
    return stack;
  }
}
