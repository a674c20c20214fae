package org.brokkr.codecs.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The reference's golden frames, one per variant, survive parse-then-encode byte for byte. */
class WsFramesTest {
  static JsonArray golden;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = WsFramesTest.class.getResourceAsStream("/live/ws_message_v1.json")) {
      golden = new JsonArray(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static JsonObject goldenFrame(WsVariant variant) {
    List<JsonObject> found = new ArrayList<>();
    for (Object o : golden) {
      if (variant.wire().equals(((JsonObject) o).getString("type"))) {
        found.add((JsonObject) o);
      }
    }
    assertEquals(1, found.size(), "one golden frame of " + variant.wire());
    return found.get(0);
  }

  @ParameterizedTest
  @EnumSource(WsVariant.class)
  void goldenFrameRoundTrips(WsVariant variant) {
    String original = goldenFrame(variant).encode();
    WsFrame frame = WsFrame.parse(original);
    assertEquals(variant, frame.variant());
    assertEquals(original, frame.encode());
  }

  @Test
  void theFileHoldsExactlyTheKnownVariants() {
    assertEquals(WsVariant.values().length, golden.size());
    for (WsVariant v : WsVariant.values()) {
      goldenFrame(v);
    }
  }

  @Test
  void unknownFieldsAreLeftOutAndMissingOptionalsAreNull() {
    WsFrame f = WsFrame.parse("""
        {"body":{"extra":1,"sent_at":"2026-01-01T02:00:00+02:00","agent_id":"11111111-1111-1111-1111-111111111111"},"type":"heartbeat"}""");
    assertEquals("""
        {"type":"heartbeat","body":{"agent_id":"11111111-1111-1111-1111-111111111111","sent_at":"2026-01-01T00:00:00Z",\
        "k8s_reachable":null,"k8s_api_latency_ms":null}}""", f.encode());
    assertEquals("11111111-1111-1111-1111-111111111111", f.agentId());
  }

  @Test
  void fractionsOfASecondAreKept() {
    WsFrame f = WsFrame.parse("""
        {"type":"heartbeat","body":{"agent_id":"11111111-1111-1111-1111-111111111111","sent_at":"2026-10-07T12:04:53.123456789Z"}}""");
    assertEquals("2026-10-07T12:04:53.123456789Z", f.body().getString("sent_at"));
  }

  @Test
  void malformedFramesAreRefused() {
    for (String bad : List.of("not json", "[]", "{}", "{\"type\":\"nope\",\"body\":{}}", "{\"type\":\"heartbeat\"}",
        "{\"type\":\"heartbeat\",\"body\":{\"agent_id\":\"x\",\"sent_at\":\"2026-01-01T00:00:00Z\"}}",
        "{\"type\":\"heartbeat\",\"body\":{\"agent_id\":\"11111111-1111-1111-1111-111111111111\"}}",
        "{\"type\":\"heartbeat\",\"body\":{\"agent_id\":\"11111111-1111-1111-1111-111111111111\",\"sent_at\":\"yesterday\"}}",
        "{\"type\":\"heartbeat\",\"body\":{\"agent_id\":\"11111111-1111-1111-1111-111111111111\","
            + "\"sent_at\":\"2026-01-01T00:00:00Z\",\"k8s_api_latency_ms\":1.5}}",
        "{\"type\":\"heartbeat\",\"body\":{\"agent_id\":\"11111111-1111-1111-1111-111111111111\","
            + "\"sent_at\":\"2026-01-01T00:00:00Z\",\"k8s_api_latency_ms\":4294967296}}",
        "{\"type\":\"log_gap\",\"body\":{\"agent_id\":\"11111111-1111-1111-1111-111111111111\","
            + "\"stack_id\":\"11111111-1111-1111-1111-111111111111\",\"since_ts\":\"2026-01-01T00:00:00Z\","
            + "\"dropped_count\":-1,\"reason\":\"rate_limit\"}}",
        "{\"type\":\"log_gap\",\"body\":{\"agent_id\":\"11111111-1111-1111-1111-111111111111\","
            + "\"stack_id\":\"11111111-1111-1111-1111-111111111111\",\"since_ts\":\"2026-01-01T00:00:00Z\","
            + "\"dropped_count\":1,\"reason\":\"bored\"}}")) {
      assertThrows(MalformedFrameException.class, () -> WsFrame.parse(bad), bad);
    }
  }

  @Test
  void variantsWithoutAnAgentHaveNoAgentId() {
    WsFrame f = WsFrame.parse(goldenFrame(WsVariant.WORK_ORDER).encode());
    assertNull(f.agentId());
  }
}
