package org.brokkr.broker.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: a subscription's signing secret ({@code whsec_} followed by the
 * base64 of 24 to 64 random bytes) signs {@code "<webhook-id>.<webhook-timestamp>.<body>"} with
 * HMAC-SHA256; the receiver recomputes it, compares in constant time and refuses old timestamps.
 */
public final class WebhookSignature {
  public static final String SECRET_PREFIX = "whsec_";
  public static final int MIN_KEY_BYTES = 24;
  public static final int MAX_KEY_BYTES = 64;

  private WebhookSignature() {}

  /** The HMAC key of a secret in the {@code whsec_<base64>} form, or null when it is not one. */
  public static byte[] keyOf(String secret) {
    if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
      return null;
    }
    try {
      byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
      return key.length >= MIN_KEY_BYTES && key.length <= MAX_KEY_BYTES ? key : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The three headers of one signed attempt (the timestamp is the attempt's, in Unix seconds). */
  public static Map<String, String> headers(byte[] key, String webhookId, long timestampSeconds, String body) {
    String ts = Long.toString(timestampSeconds);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", webhookId);
    headers.put("webhook-timestamp", ts);
    headers.put("webhook-signature", "v1," + sign(key, webhookId + "." + ts + "." + body));
    return headers;
  }

  /** The signature headers of an attempt made now; none when the subscription has no signing key. */
  public static Map<String, String> now(byte[] key, String webhookId, String body) {
    return key == null ? Map.of() : headers(key, webhookId, System.currentTimeMillis() / 1000, body);
  }

  static String sign(byte[] key, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
