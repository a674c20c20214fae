package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.Failure;
import org.junit.jupiter.api.Test;

/**
 * Encryption at rest: our blobs in the reference's layout, and blobs made independently of this
 * code (Python's {@code cryptography} AES-GCM; the legacy XOR layouts computed by hand), with the
 * test brokers' key.
 */
class WebhookCipherTest {
  private static final byte[] KEY = HexFormat.of().parseHex(TestBroker.WEBHOOK_KEY_HEX);
  private static final String URL = "https://example.com/hook?token=s3cret";
  /** 0x01 || nonce 000102...0b || AES-256-GCM(URL) || tag. */
  private static final String GCM_BLOB = "AQABAgMEBQYHCAkKC35swUYzc+KZrEMOkUG5AQENWspRk2sU9AZWLqdBjBdE0afHD5YDL3j1wmn0eInwWbWiQ0zc";
  /** 0x00 || nonce 101112...1f || URL XOR SHA-256(key || nonce). */
  private static final String LEGACY_V0_BLOB = "ABAREhMUFRYXGBkaGxwdHh/eoXa7ta3TqefHlM3usvSwau0PiOwXSUEoxUia964v/oW2cK6y";
  /** The same without a version byte (nonce 42 01 02 ... 0f). */
  private static final String LEGACY_BARE_BLOB = "QgECAwQFBgcICQoLDA0ODzuImq/qu3+55muT2gph3vyppUdGTCC8jhQRByoJ/75hYJ+cuu0=";

  private final WebhookCipher cipher = WebhookCipher.of(Optional.of(KEY));

  @Test
  void roundTripInTheReferenceLayout() {
    byte[] blob = cipher.encrypt(URL);
    assertEquals(0x01, blob[0]);
    assertEquals(1 + 12 + URL.length() + 16, blob.length);
    assertEquals(URL, cipher.decrypt(blob));
    assertFalse(new String(blob, java.nio.charset.StandardCharsets.ISO_8859_1).contains("example.com"));
    assertNotEquals(HexFormat.of().formatHex(blob), HexFormat.of().formatHex(cipher.encrypt(URL)), "a fresh nonce each time");
    assertEquals("", cipher.decrypt(cipher.encrypt("")));
  }

  @Test
  void readsBlobsMadeElsewhere() {
    assertEquals(URL, cipher.decrypt(Base64.getDecoder().decode(GCM_BLOB)));
    assertEquals(URL, cipher.decrypt(Base64.getDecoder().decode(LEGACY_V0_BLOB)));
    assertEquals(URL, cipher.decrypt(Base64.getDecoder().decode(LEGACY_BARE_BLOB)));
  }

  @Test
  void refusesWrongKeysDamageAndShortValues() {
    byte[] other = KEY.clone();
    other[0] ^= 1;
    WebhookCipher wrong = WebhookCipher.of(Optional.of(other));
    assertThrows(WebhookCipher.Undecryptable.class, () -> wrong.decrypt(Base64.getDecoder().decode(GCM_BLOB)));
    byte[] damaged = cipher.encrypt(URL);
    damaged[damaged.length - 1] ^= 0x01;
    assertThrows(WebhookCipher.Undecryptable.class, () -> cipher.decrypt(damaged));
    assertThrows(WebhookCipher.Undecryptable.class, () -> cipher.decrypt(new byte[] {1, 2, 3}));
    assertThrows(WebhookCipher.Undecryptable.class, () -> cipher.decrypt(new byte[] {0x05, 1, 2}));
    assertThrows(WebhookCipher.Undecryptable.class, () -> cipher.decrypt(new byte[0]));
    WebhookCipher.Undecryptable e = assertThrows(WebhookCipher.Undecryptable.class,
        () -> wrong.decrypt(cipher.encrypt(URL)));
    assertFalse(e.getMessage().contains("example"), "the reason never holds the value");
  }

  @Test
  void fingerprintIsTheFirstEightBytesOfTheKeysHash() {
    assertEquals("4773d12e2371bb93", cipher.fingerprint());
  }

  @Test
  void withoutAKeyNothingIsEncryptedAndTheRefusalNamesTheSetting() {
    WebhookCipher none = WebhookCipher.of(Optional.empty());
    assertFalse(none.configured());
    ApiError e = assertThrows(ApiError.class, () -> none.encrypt(URL));
    assertEquals(Failure.UNAVAILABLE, e.failure());
    assertEquals("webhook_encryption_key_missing", e.code());
    assertTrue(e.getMessage().contains("BROKKR__BROKER__WEBHOOK_ENCRYPTION_KEY"));
    assertThrows(ApiError.class, () -> none.decrypt(Base64.getDecoder().decode(GCM_BLOB)));
  }

  @Test
  void legacyLayoutIsTheXorOfTheHashedKeyAndNonce() throws Exception {
    // the mask repeats every 32 bytes: a 40-byte plaintext uses bytes 0..7 of it twice
    byte[] nonce = new byte[16];
    String text = "0123456789012345678901234567890123456789";
    byte[] seed = new byte[48];
    System.arraycopy(KEY, 0, seed, 0, 32);
    byte[] mask = java.security.MessageDigest.getInstance("SHA-256").digest(seed);
    byte[] blob = new byte[1 + 16 + text.length()];
    for (int i = 0; i < text.length(); i++) {
      blob[17 + i] = (byte) (text.charAt(i) ^ mask[i % 32]);
    }
    assertEquals(text, cipher.decrypt(blob));
    assertArrayEquals(nonce, java.util.Arrays.copyOfRange(blob, 1, 17));
  }
}
