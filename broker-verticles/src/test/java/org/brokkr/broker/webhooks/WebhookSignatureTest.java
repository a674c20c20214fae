package org.brokkr.broker.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Standard Webhooks signatures, checked against the specification's published example. */
class WebhookSignatureTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @Test
  void signsThePublishedExample() {
    Map<String, String> headers = WebhookSignature.headers(WebhookSignature.keyOf(SECRET),
        "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L, "{\"test\": 2432232314}");
    assertEquals("msg_p5jXN8AQM9LWM0D4loKWxJek", headers.get("webhook-id"));
    assertEquals("1614265330", headers.get("webhook-timestamp"));
    assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", headers.get("webhook-signature"));
  }

  @Test
  void acceptsOnlySecretsOfTheStandardForm() {
    assertNotNull(WebhookSignature.keyOf(SECRET));
    assertNull(WebhookSignature.keyOf("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "no prefix");
    assertNull(WebhookSignature.keyOf("whsec_not base64!"));
    assertNull(WebhookSignature.keyOf("whsec_c2hvcnQ="), "5 bytes is too short a key");
    assertNull(WebhookSignature.keyOf("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[65])), "too long");
    assertNull(WebhookSignature.keyOf(null));
  }
}
