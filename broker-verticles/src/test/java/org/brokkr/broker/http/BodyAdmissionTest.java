package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
