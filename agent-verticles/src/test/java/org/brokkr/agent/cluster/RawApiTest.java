package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RawApiTest {
  @Test
  void aStatusBodyGivesItsReasonAndMessage() {
    ClusterCallException e = RawApi.statusFailure(422, """
        {"kind":"Status","apiVersion":"v1","status":"Failure","message":"Service \\"x\\" is invalid: spec.ports[0].port: Invalid value: 99999",
         "reason":"Invalid","code":422}""");
    assertEquals(422, e.status());
    assertEquals("Invalid", e.reason());
    assertEquals("Service \"x\" is invalid: spec.ports[0].port: Invalid value: 99999", e.getMessage());
  }

  @Test
  void anyOtherBodyIsQuotedWithTheStatusCode() {
    ClusterCallException e = RawApi.statusFailure(503, "upstream connect error\n");
    assertEquals(503, e.status());
    assertNull(e.reason());
    assertEquals("HTTP 503: upstream connect error", e.getMessage());
    assertEquals("HTTP 404", RawApi.statusFailure(404, "").getMessage());
    assertEquals("HTTP 500: {not json", RawApi.statusFailure(500, "{not json").getMessage());
  }
}
