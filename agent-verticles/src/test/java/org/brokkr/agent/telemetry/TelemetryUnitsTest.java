package org.brokkr.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.brokkr.agent.telemetry.LogRateLimiter.Decision;
import org.brokkr.codecs.OwnershipAnnotations;
import org.brokkr.codecs.live.WsFrame;
import org.junit.jupiter.api.Test;

/**
 * The parts of telemetry shipping that need no cluster: the stack cache, the per-container log
 * limit and the frames. (Pod logs cannot be followed end to end here: the test API server has no
 * kubelet, so no container ever runs.)
 */
class TelemetryUnitsTest {
  private static final String AGENT = UUID.randomUUID().toString();
  private static final String STACK = UUID.randomUUID().toString();

  @Test
  void stacksAndTheirAbsenceAreKeptFiveMinutes() {
    AtomicLong now = new AtomicLong(0);
    StackCache cache = new StackCache(10, now::get);
    cache.put("a", Optional.of(STACK));
    cache.put("b", Optional.empty());
    assertEquals(Optional.of(Optional.of(STACK)), cache.get("a"));
    assertEquals(Optional.of(Optional.empty()), cache.get("b"), "a negative answer is kept too");
    now.set(StackCache.TTL_NANOS - 1);
    assertTrue(cache.get("a").isPresent());
    now.set(StackCache.TTL_NANOS);
    assertTrue(cache.get("a").isEmpty(), "expired");
    assertTrue(cache.get("b").isEmpty(), "expired");
  }

  @Test
  void theLeastRecentlyUsedUidGoesFirstBeyondTheCap() {
    StackCache cache = new StackCache(2, () -> 0);
    cache.put("a", Optional.of(STACK));
    cache.put("b", Optional.of(STACK));
    cache.get("a");
    cache.put("c", Optional.empty());
    assertEquals(2, cache.size());
    assertTrue(cache.get("b").isEmpty(), "b was used least recently");
    assertTrue(cache.get("a").isPresent());
    assertTrue(cache.get("c").isPresent());
  }

  @Test
  void aContainerSendsAHundredLinesASecondAndAnnouncesTheFirstDrop() {
    LogRateLimiter limiter = new LogRateLimiter();
    int sent = 0;
    int announced = 0;
    int dropped = 0;
    // a chatty container: 1,000 lines in each of 3 seconds
    for (int second = 0; second < 3; second++) {
      for (int i = 0; i < 1_000; i++) {
        Decision d = limiter.offer(10_000 + second * 1_000L + i % 1_000);
        switch (d) {
          case SEND -> sent++;
          case DROP_AND_ANNOUNCE -> announced++;
          case DROP -> dropped++;
        }
      }
    }
    assertEquals(300, sent);
    assertEquals(3, announced, "one log_gap per window with drops");
    assertEquals(3 * 899, dropped);
  }

  @Test
  void aQuietContainerIsNeverLimited() {
    LogRateLimiter limiter = new LogRateLimiter();
    for (int i = 0; i < 1_000; i++) {
      assertEquals(Decision.SEND, limiter.offer(i * 20L), "50 lines a second");
    }
  }

  @Test
  void aKubernetesEventBecomesAK8sEventFrame() {
    JsonObject event = new JsonObject()
        .put("reason", "BackOff").put("message", "Back-off restarting").put("type", "Warning")
        .put("lastTimestamp", "2026-01-01T00:00:00Z")
        .put("eventTime", "2026-01-01T00:00:01.123456Z")
        .put("source", new JsonObject().put("component", "kubelet"))
        .put("involvedObject", new JsonObject().put("apiVersion", "v1").put("kind", "Pod").put("namespace", "ns")
            .put("name", "p").put("uid", "u-1"));
    WsFrame frame = TelemetryFrames.k8sEvent(AGENT, STACK, event);
    assertEquals("k8s_event", frame.variant().wire());
    assertEquals("2026-01-01T00:00:01.123456Z", frame.body().getString("observed_at"), "eventTime first");
    assertEquals(new JsonObject().put("api_version", "v1").put("kind", "Pod").put("namespace", "ns").put("name", "p").put("uid", "u-1"),
        frame.body().getJsonObject("involved_object"));
    assertEquals("kubelet", frame.body().getString("source"));

    JsonObject bare = new JsonObject().put("involvedObject", new JsonObject().put("apiVersion", "v1").put("kind", "Pod").put("name", "p"));
    WsFrame defaults = TelemetryFrames.k8sEvent(AGENT, STACK, bare);
    assertEquals("Normal", defaults.body().getString("event_type"));
    assertEquals("", defaults.body().getString("reason"));
    Instant.parse(defaults.body().getString("observed_at"));
    assertEquals(defaults, WsFrame.parse(defaults.encode()), "round-trips");
  }

  @Test
  void onlyObjectsStampedByThisAgentHaveAStack() {
    JsonObject ours = withAnnotations(new JsonObject().put(OwnershipAnnotations.OWNER_ID, AGENT).put(OwnershipAnnotations.STACK, STACK));
    JsonObject theirs = withAnnotations(new JsonObject().put(OwnershipAnnotations.OWNER_ID, UUID.randomUUID().toString())
        .put(OwnershipAnnotations.STACK, STACK));
    JsonObject noStack = withAnnotations(new JsonObject().put(OwnershipAnnotations.OWNER_ID, AGENT));
    assertEquals(Optional.of(STACK), TelemetryFrames.ownedStack(ours, AGENT));
    assertEquals(Optional.empty(), TelemetryFrames.ownedStack(theirs, AGENT));
    assertEquals(Optional.empty(), TelemetryFrames.ownedStack(noStack, AGENT));
    assertEquals(Optional.empty(), TelemetryFrames.ownedStack(new JsonObject(), AGENT));
  }

  @Test
  void aPodShipsItsLogsOnlyWithBothAnnotations() {
    assertEquals(Optional.of(STACK), TelemetryFrames.logStack(withAnnotations(new JsonObject()
        .put(TelemetryFrames.STREAM_LOGS, "true").put(OwnershipAnnotations.STACK, STACK))));
    assertEquals(Optional.empty(), TelemetryFrames.logStack(withAnnotations(new JsonObject()
        .put(TelemetryFrames.STREAM_LOGS, "false").put(OwnershipAnnotations.STACK, STACK))));
    assertEquals(Optional.empty(), TelemetryFrames.logStack(withAnnotations(new JsonObject().put(TelemetryFrames.STREAM_LOGS, "true"))));
    assertEquals(Optional.empty(), TelemetryFrames.logStack(withAnnotations(new JsonObject()
        .put(TelemetryFrames.STREAM_LOGS, "true").put(OwnershipAnnotations.STACK, "not-a-uuid"))));
  }

  @Test
  void logLinesAndGapsHaveTheReferenceShapes() {
    WsFrame line = TelemetryFrames.podLogLine(AGENT, STACK, "ns", "p", "c", "hello");
    assertEquals(line, WsFrame.parse(line.encode()));
    assertEquals("hello", line.body().getString("line"));
    WsFrame gap = TelemetryFrames.rateLimitGap(AGENT, STACK, Instant.parse("2026-01-01T00:00:00Z"));
    assertEquals("{\"type\":\"log_gap\",\"body\":{\"agent_id\":\"" + AGENT + "\",\"stack_id\":\"" + STACK
        + "\",\"since_ts\":\"2026-01-01T00:00:00Z\",\"dropped_count\":1,\"reason\":\"rate_limit\"}}", gap.encode());
  }

  private static JsonObject withAnnotations(JsonObject annotations) {
    return new JsonObject().put("metadata", new JsonObject().put("annotations", annotations));
  }
}
