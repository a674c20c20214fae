package org.brokkr.agent.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whether a failed work order is worth another attempt, and how long the agent may wait for one. */
class WorkOrderOutcomeTest {

  @ParameterizedTest
  @ValueSource(strings = {"connection refused", "Service Unavailable", "etcdserver: request timeout",
      "InternalError: try later", "429 Too Many Requests", "client-side throttling", "network is unreachable"})
  void transientErrorsAreRetried(String message) {
    assertTrue(WorkOrderOutcome.retryableByText(message), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Job x failed: BackoffLimitExceeded", "Unknown work type: teleport", "builds 'a' is forbidden",
      "NotFound", "the server could not find the requested resource (not found)", "Invalid value: 'many'",
      "Unprocessable Entity", "Conflict: the object has been modified", "BadRequest", "Unauthorized"})
  void permanentAndUnknownErrorsAreNot(String message) {
    assertFalse(WorkOrderOutcome.retryableByText(message), message);
  }

  @Test
  void aPermanentWordWinsOverATransientOne() {
    assertFalse(WorkOrderOutcome.retryableByText("connection to registry forbidden"));
  }

  @Test
  void anExecutorsExplicitDispositionWinsOverTheText() {
    assertFalse(WorkOrderOutcome.failed(WorkOrderFailure.permanent("Job a/b timed out (connection state unknown)")).retryable());
    assertTrue(WorkOrderOutcome.failed(WorkOrderFailure.classifiedByText("registry unavailable")).retryable());
    assertEquals(4000, WorkOrderOutcome.failed(new RuntimeException("x".repeat(10_000))).message().length());
  }

  @Test
  void waitsEndAMarginBeforeTheBrokerReclaimsTheOrder() {
    assertEquals(3240_000, deadline(3600).waitMillis(), "10 % of an hour");
    assertEquals(240_000, deadline(300).waitMillis(), "at least 60 s");
    assertEquals(32_500, deadline(65).waitMillis(), "never more than half");
    assertEquals(2_000, deadline(4).waitMillis());
    assertEquals(3600, ClaimDeadline.of(System.nanoTime(), new JsonObject()).claimTimeoutSeconds(), "the broker's default");
  }

  private static ClaimDeadline deadline(long claimTimeoutSeconds) {
    return ClaimDeadline.of(System.nanoTime(), new JsonObject().put("claim_timeout_seconds", claimTimeoutSeconds));
  }
}
