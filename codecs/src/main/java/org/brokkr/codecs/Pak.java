package org.brokkr.codecs;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Prefixed API keys: {@code <prefix>_<short>_<long>}. Only the SHA-256 of the long token is ever
 * stored; the prefix and short token are cosmetic (the wire format ignores them when verifying).
 */
public final class Pak {
  private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  /** A freshly minted key: the plaintext (shown once) and its stored hash. */
  public record Minted(String pak, String hash) {}

  /** Settings of the {@code [pak]} section. */
  public record Format(String prefix, String shortTokenPrefix, int shortTokenLength, int longTokenLength) {
    public static final Format DEFAULT = new Format("brokkr", "BR", 8, 24);
  }

  private Pak() {}

  public static Minted mint(Format format) {
    String shortToken = format.shortTokenPrefix() + base58(randomBytes(format.shortTokenLength()));
    if (shortToken.length() > format.shortTokenLength()) {
      shortToken = shortToken.substring(0, format.shortTokenLength());
    }
    String longToken = base58(randomBytes(format.longTokenLength()));
    return new Minted(format.prefix() + "_" + shortToken + "_" + longToken, hashLongToken(longToken));
  }

  /**
   * Hash of a presented credential: accepts {@code Bearer <pak>}, {@code bearer <pak>} or the bare
   * key; empty when it is not of the three-part form.
   */
  public static Optional<String> hashOfPresented(String headerValue) {
    if (headerValue == null) {
      return Optional.empty();
    }
    String value = headerValue;
    if (value.startsWith("Bearer ") || value.startsWith("bearer ")) {
      value = value.substring(7);
    }
    value = value.trim();
    String[] parts = value.split("_", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(hashLongToken(parts[2]));
  }

  public static String hashLongToken(String longToken) {
    return sha256Hex(longToken);
  }

  public static String sha256Hex(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Constant-time comparison of two hex hashes. */
  public static boolean sameHash(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  public static boolean isHashShaped(String value) {
    return value != null && value.matches("[0-9a-fA-F]{64}");
  }

  static String base58(byte[] input) {
    int zeros = 0;
    while (zeros < input.length && input[zeros] == 0) {
      zeros++;
    }
    StringBuilder out = new StringBuilder();
    BigInteger value = new BigInteger(1, input);
    BigInteger base = BigInteger.valueOf(58);
    while (value.signum() > 0) {
      BigInteger[] qr = value.divideAndRemainder(base);
      out.append(ALPHABET.charAt(qr[1].intValue()));
      value = qr[0];
    }
    for (int i = 0; i < zeros; i++) {
      out.append('1');
    }
    return out.reverse().toString();
  }

  // Keys are minted on event loops: Randomness never reads a file there.
  private static byte[] randomBytes(int n) {
    return Randomness.bytes(n);
  }
}
