package org.brokkr.codecs.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a post's outcome says to the broker's records: the reference agent's error texts. */
class WebhookPosterTest {

  @Test
  void anAnswerIsQuotedWithAtMostFiveHundredCharactersOfItsBody() {
    assertEquals("HTTP 503: busy", new WebhookPoster.Outcome(503, "busy", null).agentErrorText());
    String quoted = new WebhookPoster.Outcome(500, "x".repeat(900), null).agentErrorText();
    assertEquals("HTTP 500: " + "x".repeat(500), quoted);
  }

  @Test
  void noAnswerIsATimeoutAConnectionFailureOrARequestError() {
    assertEquals("Request timed out", new WebhookPoster.Outcome(0, null, "timed out after 5 s").agentErrorText());
    assertEquals("Connection failed", new WebhookPoster.Outcome(0, null, "connection refused").agentErrorText());
    assertEquals("Connection failed", new WebhookPoster.Outcome(0, null, "host not found").agentErrorText());
    assertEquals("Request error: TLS handshake failed", new WebhookPoster.Outcome(0, null, "TLS handshake failed").agentErrorText());
  }

  @Test
  void extraHeadersFollowTheContentTypeAndTheAuthHeader() {
    Map<String, String> h = WebhookPoster.headers("Bearer x", Map.of("X-Brokkr-Event-Type", "stack.created"));
    assertEquals(java.util.List.of("Content-Type", "Authorization", "X-Brokkr-Event-Type"), java.util.List.copyOf(h.keySet()));
    assertEquals(java.util.List.of("Content-Type"), java.util.List.copyOf(WebhookPoster.headers(null, Map.of()).keySet()));
  }

  @Test
  void aClosedPortIsAConnectionFailureWhoseTextNamesNoAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Vertx vertx = Vertx.vertx();
    try {
      WebhookPoster poster = new WebhookPoster(vertx, 1);
      WebhookPoster.Outcome o = poster.post("http://127.0.0.1:" + port + "/hook?token=secret", Map.of(), "{}", 5)
          .await(30, TimeUnit.SECONDS);
      assertEquals(0, o.status());
      assertEquals("Connection failed", o.agentErrorText());
      assertTrue(!o.errorText(100).contains("127.0.0.1") && !o.errorText(100).contains("secret"), o.errorText(100));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }
}
