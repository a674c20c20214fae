package org.brokkr.codecs;

import java.nio.ByteBuffer;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Cryptographic randomness that is safe on an event loop. The platform default SecureRandom (and so
 * {@link UUID#randomUUID()}) re-reads /dev/urandom as it goes; a DRBG reads the OS entropy source
 * once, when seeded here, and is pure computation afterwards.
 */
public final class Randomness {
  private static final SecureRandom RNG = seeded();

  private Randomness() {}

  public static byte[] bytes(int n) {
    byte[] bytes = new byte[n];
    RNG.nextBytes(bytes);
    return bytes;
  }

  /** A random (version 4, IETF variant) UUID, as {@link UUID#randomUUID()} makes. */
  public static UUID uuid() {
    byte[] b = bytes(16);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    ByteBuffer buf = ByteBuffer.wrap(b);
    return new UUID(buf.getLong(), buf.getLong());
  }

  private static SecureRandom seeded() {
    try {
      SecureRandom rng = SecureRandom.getInstance("DRBG",
          DrbgParameters.instantiation(256, DrbgParameters.Capability.NONE, null));
      rng.nextBytes(new byte[1]); // seeds now, not on the first use
      return rng;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("DRBG unavailable", e);
    }
  }
}
