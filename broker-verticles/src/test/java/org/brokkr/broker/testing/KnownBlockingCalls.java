package org.brokkr.broker.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What counts as blocking beyond BlockHound's defaults, and the library-internal blocking calls
 * allowed on an event loop (each one-time or bounded, with the reason). A blocking call in project
 * code is fixed, not listed; the one exception is a static initializer that runs once per JVM.
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

    // Ours, but once per JVM: seeding the generator reads the OS entropy source; drawing from it does not.
    builder.allowBlockingCallsInside("org.brokkr.codecs.Randomness", "<clinit>");
    // Library code drawing from the JDK's default SecureRandom, which tops up a shared buffer from
    // /dev/urandom (a device that never blocks) whenever it runs low, whoever the caller is:
    // the JDK seeding a TLS context Vert.x builds for an https client (fabric8 to the API server),
    builder.allowBlockingCallsInside("sun.security.ssl.SSLContextImpl", "engineInit");
    // and the PostgreSQL client's SCRAM nonce when a pooled connection authenticates.
    builder.allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce");
    // Handing a task to a pool (how executeBlocking offloads) holds the pool's locks for an instant
    // and may contend for them with another event loop; the queue offer itself never waits.
    builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "execute");
    // Cancelling a scheduled task takes it out of the scheduler's queue under the same kind of lock:
    // fabric8 does so on the event loop whenever a request to the API server ends before its timeout.
    builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "remove");
    // Vert.x shutting down its worker pools takes the same locks.
    builder.allowBlockingCallsInside("io.vertx.core.internal.WorkerPool", "close");
    // Netty probing, once per JVM, whether the JDK can wrap trust managers for TLS servers: it parses a
    // built-in key, and where BouncyCastle is on the class path (fabric8 brings it to the agent's tests)
    // that draws from the default SecureRandom as above.
    builder.allowBlockingCallsInside("io.netty.handler.ssl.JdkSslServerContext", "<clinit>");
    // The JDK reading its net.properties once, when the first server socket of the JVM is made.
    builder.allowBlockingCallsInside("sun.net.NetProperties", "<clinit>");
    // Jackson building a deserializer it does not hold in its cache (a type met for the first time,
    // or one it does not cache) does so under the cache's lock: in memory, no I/O, held briefly.
    // fabric8 reads API-server answers on the event loop; with the agent's watches open, two loops
    // may build one at the same moment and one waits for the other.
    builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
    // Netty's buffer allocator growing its pool of magazines under contention (large buffers on
    // several event loops at once, e.g. a batch of telemetry rows): a short lock inside the allocator.
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    // Test infrastructure, not the broker: fabric8's mock API server waits for its own executor on
    // its event loop when a client closes a watch (the ConfigMap watch test).
    builder.allowBlockingCallsInside("io.fabric8.kubernetes.client.server.mock.WatchEventsListener", "onClosed");
  }
}
