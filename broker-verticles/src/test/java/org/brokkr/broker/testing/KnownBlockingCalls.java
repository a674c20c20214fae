package org.brokkr.broker.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What counts as blocking beyond BlockHound's defaults, and the library-internal blocking calls
 * allowed on an event loop (each one-time or bounded, with the reason). Project code is never
 * allowed here: a blocking call of ours is fixed instead.
 */
final class KnownBlockingCalls implements BlockHoundIntegration {
  private static final String FILE_CHANNEL = "sun.nio.ch.FileChannelImpl";

  @Override
  public void applyTo(BlockHound.Builder builder) {
    // BlockHound only knows java.io streams; Files.readString/write go through NIO file channels.
    builder.markAsBlocking(FILE_CHANNEL, "read", "(Ljava/nio/ByteBuffer;)I")
        .markAsBlocking(FILE_CHANNEL, "read", "([Ljava/nio/ByteBuffer;II)J")
        .markAsBlocking(FILE_CHANNEL, "read", "(Ljava/nio/ByteBuffer;J)I")
        .markAsBlocking(FILE_CHANNEL, "write", "(Ljava/nio/ByteBuffer;)I")
        .markAsBlocking(FILE_CHANNEL, "write", "([Ljava/nio/ByteBuffer;II)J")
        .markAsBlocking(FILE_CHANNEL, "write", "(Ljava/nio/ByteBuffer;J)I")
        .markAsBlocking(FILE_CHANNEL, "force", "(Z)V");
  }
}
