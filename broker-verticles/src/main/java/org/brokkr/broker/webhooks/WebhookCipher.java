package org.brokkr.broker.webhooks;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Randomness;

/**
 * Encryption at rest of webhook URLs, auth headers and signing secrets, in the reference's blob
 * layout: {@code 0x01 || nonce (12) || AES-256-GCM ciphertext || tag (16)}. It also reads the
 * reference's legacy blobs: {@code 0x00 || nonce (16) || data}, or the same without the version
 * byte, where data is the plaintext XORed with SHA-256(key || nonce) repeated.
 *
 * <p>Without a configured key nothing is encrypted or decrypted (there is deliberately no
 * per-process random key: a restart would make every stored URL unreadable).
 */
public final class WebhookCipher {
  /** The environment variable that sets the key, named in every refusal. */
  public static final String KEY_ENV = "BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY";
  private static final byte VERSION_AES_GCM = 0x01;
  private static final byte VERSION_LEGACY_XOR = 0x00;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int LEGACY_NONCE_BYTES = 16;

  private final SecretKeySpec key;
  private final byte[] raw;

  private WebhookCipher(byte[] raw) {
    this.raw = raw == null ? null : raw.clone();
    this.key = raw == null ? null : new SecretKeySpec(raw, "AES");
  }

  /**
   * A cipher for the configured key (or none). Built once at startup, off the event loops: the
   * first use of the JDK's crypto providers reads their policy files.
   */
  public static WebhookCipher of(Optional<byte[]> key) {
    WebhookCipher cipher = new WebhookCipher(key.orElse(null));
    warmUp();
    if (cipher.configured()) {
      cipher.decrypt(cipher.encrypt("warm-up"));
    }
    return cipher;
  }

  public boolean configured() {
    return key != null;
  }

  /** Hex of the first 8 bytes of SHA-256(key): safe to log, tells two keys apart. */
  public String fingerprint() {
    return configured() ? HexFormat.of().formatHex(Arrays.copyOf(sha256(raw), 8)) : "none";
  }

  /** The refusal of anything that needs the key while none is configured. */
  public static ApiError keyMissing() {
    return new ApiError(Failure.UNAVAILABLE, "webhook_encryption_key_missing",
        "webhook URLs and secrets are stored encrypted and no key is configured: set " + KEY_ENV
            + " (64 hexadecimal characters) and restart the broker");
  }

  public byte[] encrypt(String plaintext) {
    if (!configured()) {
      throw keyMissing();
    }
    byte[] nonce = Randomness.bytes(NONCE_BYTES);
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = gcm.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION_AES_GCM).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /** The plaintext of a stored blob; {@link Undecryptable} when it cannot be read with this key. */
  public String decrypt(byte[] blob) {
    if (!configured()) {
      throw keyMissing();
    }
    if (blob == null || blob.length == 0) {
      throw new Undecryptable("empty value");
    }
    byte[] plain = switch (blob[0]) {
      case VERSION_AES_GCM -> openGcm(blob);
      case VERSION_LEGACY_XOR -> legacyXor(Arrays.copyOfRange(blob, 1, blob.length));
      default -> {
        if (blob.length < LEGACY_NONCE_BYTES) {
          throw new Undecryptable("value too short");
        }
        yield legacyXor(blob);
      }
    };
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(plain)).toString();
    } catch (CharacterCodingException e) {
      throw new Undecryptable("decrypted value is not UTF-8");
    }
  }

  private byte[] openGcm(byte[] blob) {
    if (blob.length < 1 + NONCE_BYTES + TAG_BITS / 8) {
      throw new Undecryptable("value too short");
    }
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, blob, 1, NONCE_BYTES));
      return gcm.doFinal(blob, 1 + NONCE_BYTES, blob.length - 1 - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      // the authentication tag does not match: another key, or a damaged value
      throw new Undecryptable("authentication failed (wrong key or damaged value)");
    }
  }

  private byte[] legacyXor(byte[] data) {
    if (data.length < LEGACY_NONCE_BYTES) {
      throw new Undecryptable("legacy value too short");
    }
    byte[] seed = new byte[raw.length + LEGACY_NONCE_BYTES];
    System.arraycopy(raw, 0, seed, 0, raw.length);
    System.arraycopy(data, 0, seed, raw.length, LEGACY_NONCE_BYTES);
    byte[] mask = sha256(seed);
    byte[] out = new byte[data.length - LEGACY_NONCE_BYTES];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (data[LEGACY_NONCE_BYTES + i] ^ mask[i % mask.length]);
    }
    return out;
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void warmUp() {
    try {
      Cipher.getInstance("AES/GCM/NoPadding");
      javax.crypto.Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM or HMAC-SHA256 unavailable", e);
    }
  }

  /** A stored value this key cannot read. The message names the reason, never the value. */
  public static final class Undecryptable extends RuntimeException {
    Undecryptable(String reason) {
      super(reason, null, false, false);
    }
  }
}
