package org.brokkr.codecs;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Prefixed API keys: {@code <prefix>_<short>_<long>}. Only the SHA-256 of the long token is ever
 * stored. Unlike the reference, which checks only the long token, a presented key must also carry
 * the configured prefix and a short token of the configured shape.
 */
public final class Pak {
  private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  /** Longest long token accepted: 128 bytes (the configurable maximum) encode to at most 176 characters. */
  private static final int MAX_LONG_TOKEN = 176;

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
   * Hash of a presented credential, or empty when it is not one: exactly {@code Bearer <pak>} (the
   * scheme in any letter case) or the bare key, where the key has this format's prefix, a short
   * token of this format's shape and a base58 long token. Anything else ({@code Basic ...}, a
   * foreign prefix, a garbage short token) is refused before any lookup.
   */
  public static Optional<String> hashOfPresented(String headerValue, Format format) {
    if (headerValue == null) {
      return Optional.empty();
    }
    String value = headerValue.strip();
    int space = indexOfWhitespace(value);
    if (space >= 0) {
      if (!value.substring(0, space).equalsIgnoreCase("Bearer")) {
        return Optional.empty();
      }
      value = value.substring(space + 1).strip();
      if (indexOfWhitespace(value) >= 0) {
        return Optional.empty();
      }
    }
    String[] parts = value.split("_", -1);
    if (parts.length != 3 || !parts[0].equals(format.prefix()) || !isShortToken(parts[1], format)
        || !isBase58(parts[2], 1, MAX_LONG_TOKEN)) {
      return Optional.empty();
    }
    return Optional.of(hashLongToken(parts[2]));
  }

  /** As {@link #hashOfPresented(String, Format)} with the default format. */
  public static Optional<String> hashOfPresented(String headerValue) {
    return hashOfPresented(headerValue, Format.DEFAULT);
  }

  /** The short token as {@link #mint} makes it: the configured prefix, then base58, truncated to the length. */
  static boolean isShortToken(String token, Format format) {
    int length = format.shortTokenLength();
    if (token.length() != length) {
      return false;
    }
    String prefix = format.shortTokenPrefix().length() > length
        ? format.shortTokenPrefix().substring(0, length) : format.shortTokenPrefix();
    return token.startsWith(prefix) && isBase58(token.substring(prefix.length()), 0, length);
  }

  private static boolean isBase58(String text, int min, int max) {
    if (text.length() < min || text.length() > max) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (ALPHABET.indexOf(text.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int indexOfWhitespace(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  public static String hashLongToken(String longToken) {
    return sha256Hex(longToken);
  }

  public static String sha256Hex(String text) {
    return HexFormat.of().formatHex(SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  // every authenticated request hashes its PAK: one digest per thread instead of a provider lookup per call
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  });

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
