package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Large request bodies share a byte budget: while one large upload is being received, another
 * that does not fit is turned away with 503 {@code server_busy} before it is read; once the first
 * is done, the second goes through; small requests never wait. Nothing is stored twice or lost.
 */
class BodyAdmissionTest {
  private static final int LARGE = 700_000;

  private TestBroker broker;
  private int admittedBeforeTheFirst;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private static String bigObject(String name) {
    String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  blob: " + "a".repeat(LARGE) + "\n";
    return new JsonObject().put("yaml_content", yaml).encode();
  }

  @Test
  void aSecondLargeBodyWaitsForTheFirstAndSmallOnesNeverWait() throws Exception {
    broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.large_body_budget_bytes", String.valueOf(1024 * 1024)));
    Fixtures fx = new Fixtures(broker);
    var gen = fx.generator();
    String stack = fx.stack(gen);
    String path = "/api/v1/stacks/" + stack + "/deployment-objects";
    byte[] first = bigObject("first").getBytes(StandardCharsets.UTF_8);

    try (Socket socket = new Socket("127.0.0.1", broker.broker.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + gen.pak()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + first.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      // half of the first body: the broker holds its budget share until the request is done
      out.write(first, 0, first.length / 2);
      out.flush();

      var busy = waitForRefusal(path.substring("/api/v1".length()), gen.pak());
      assertEquals(503, busy.statusCode(), busy.bodyAsString());
      assertEquals("server_busy", busy.bodyAsJsonObject().getString("code"));
      assertEquals("1", busy.getHeader("Retry-After"));
      var small = broker.as(gen.pak()).post(path.substring("/api/v1".length()),
          new JsonObject().put("yaml_content", Fixtures.configMap("small")));
      assertEquals(201, small.statusCode(), "a small request is not held up by the large one: " + small.bodyAsString());

      out.write(first, first.length / 2, first.length - first.length / 2);
      out.flush();
      var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = reader.readLine();
      assertTrue(status != null && status.contains(" 201 "), "the first large body is stored: " + status);
    }

    var second = broker.as(gen.pak()).postRaw(path.substring("/api/v1".length()), bigObject("second"), "application/json");
    assertEquals(201, second.statusCode(), "with the first done, the second fits: " + second.bodyAsString());
    var stored = broker.as(gen.pak()).get(path.substring("/api/v1".length())).bodyAsJsonArray();
    assertEquals(3 + admittedBeforeTheFirst, stored.size(), "first, small and second, each once: " + stored.size());
  }

  @Test
  void aShareStaysTakenWhileTheHandlerStillHasTheBodyAfterTheClientLeft() {
    BodyAdmission bodies = new BodyAdmission(1_000_000, 10_000_000, Long.MAX_VALUE);
    BodyAdmission.Share first = bodies.admit(800_000);
    assertNotNull(first);
    first.hold(); // the handler took the body
    first.done(); // the client hung up: the response's end handler ran
    assertEquals(800_000, bodies.inFlightBytes(), "the handler still holds the body");
    assertNull(bodies.admit(800_000), "no room while the handler works");
    first.done(); // the handler answered
    assertEquals(0, bodies.inFlightBytes());
    assertNotNull(bodies.admit(800_000), "room again once the handler is done");
    assertEquals(1, bodies.refused());
  }

  @Test
  void theHeapIsCompactedOnceAfterABurstWhenNoLargeBodyCameForAWhile() {
    BodyAdmission bodies = new BodyAdmission(10_000_000, 10_000_000, 3_000_000);
    BodyAdmission.Share a = bodies.admit(2_000_000);
    BodyAdmission.Share b = bodies.admit(2_000_000);
    a.done();
    long later = System.nanoTime() + BodyAdmission.IDLE_NANOS;
    assertFalse(bodies.compactIfIdle(later), "not while a large body is in flight");
    b.done();
    assertFalse(bodies.compactIfIdle(System.nanoTime() - 1), "not right after the last one");
    long quiet = System.nanoTime() + BodyAdmission.IDLE_NANOS;
    assertTrue(bodies.compactIfIdle(quiet));
    assertFalse(bodies.compactIfIdle(quiet + BodyAdmission.IDLE_NANOS), "once per burst");
    bodies.admit(1_000_000).done();
    assertFalse(bodies.compactIfIdle(System.nanoTime() + 2 * BodyAdmission.IDLE_NANOS), "a small burst is not worth a collection");
    assertEquals(1, bodies.compactions());
  }

  /** The refusal is decided when the second request's headers arrive; the first's share may need a moment to be taken. */
  private io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> waitForRefusal(String path, String pak)
      throws InterruptedException {
    while (true) {
      var r = broker.as(pak).postRaw(path, bigObject("second-" + System.nanoTime()), "application/json");
      if (r.statusCode() != 201) {
        return r;
      }
      admittedBeforeTheFirst++;
      Thread.sleep(50);
    }
  }
}
