package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /swagger-ui} serves Swagger UI from the webjar, without a PAK, and a real browser
 * (headless Chromium) renders every operation of the contract from it. Chromium is required:
 * without it this test fails and says how to install it ({@code .ci/run} does).
 */
class ApiDocsPageTest {
  private static final List<String> CHROMIUM_NAMES = List.of("chromium", "chromium-browser", "google-chrome");
  static TestBroker broker;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static HttpResponse<Buffer> get(String uri, Map<String, String> headers) {
    var req = broker.client.get(uri);
    headers.forEach(req::putHeader);
    try {
      return req.send().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void thePageAndItsFilesAreServedWithoutAPak() {
    var bare = broker.client.get("/swagger-ui").followRedirects(false);
    HttpResponse<Buffer> redirect;
    try {
      redirect = bare.send().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertEquals(302, redirect.statusCode());
    assertEquals("/swagger-ui/", redirect.getHeader("Location"));

    var index = get("/swagger-ui/", Map.of());
    assertEquals(200, index.statusCode());
    assertTrue(index.getHeader("Content-Type").startsWith("text/html"));
    assertTrue(index.bodyAsString().contains("swagger-ui-bundle.js"));
    var bundle = get("/swagger-ui/swagger-ui-bundle.js", Map.of("Accept-Encoding", "identity"));
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.body().length() > 500_000, "the whole bundle: " + bundle.body().length());
    var again = get("/swagger-ui/swagger-ui-bundle.js", Map.of("If-None-Match", bundle.getHeader("ETag")));
    assertEquals(304, again.statusCode());
    var init = get("/swagger-ui/swagger-initializer.js", Map.of());
    assertTrue(init.bodyAsString().contains("../docs/openapi.json") && init.bodyAsString().contains("validatorUrl: null"));
    assertEquals(404, get("/swagger-ui/../../openapi.yaml", Map.of()).statusCode());
    assertEquals(404, get("/swagger-ui/META-INF/MANIFEST.MF", Map.of()).statusCode());
  }

  @Test
  void headlessChromiumRendersEveryOperation() throws Exception {
    String chromium = chromium();
    Path profile = Files.createTempDirectory("brokkr-chromium-");
    try {
      List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=30000",
          "--dump-dom", "http://127.0.0.1:" + broker.broker.port() + "/swagger-ui/"));
      Process process = new ProcessBuilder(command).redirectError(profile.resolve("stderr.txt").toFile()).start();
      byte[] out = process.getInputStream().readAllBytes();
      assertTrue(process.waitFor(180, TimeUnit.SECONDS), "chromium did not finish");
      String dom = new String(out, StandardCharsets.UTF_8).replace("\u200b", "");
      assertEquals(0, process.exitValue(), "chromium failed: " + Files.readString(profile.resolve("stderr.txt")));

      JsonObject paths = broker.anonymous().get("/docs/openapi.json").bodyAsJsonObject().getJsonObject("paths");
      int operations = 0;
      for (String path : paths.fieldNames()) {
        operations += (int) paths.getJsonObject(path).fieldNames().stream()
            .filter(m -> List.of("get", "post", "put", "delete", "patch").contains(m)).count();
      }
      assertTrue(dom.contains("Brokkr Broker API"), "the contract's title:\n" + head(dom));
      assertTrue(dom.contains("List agents"), "the list_agents summary:\n" + head(dom));
      assertTrue(dom.contains("data-path=\"/agents/{id}/target-state\""), "an operation path:\n" + head(dom));
      assertEquals(operations, count(dom, "class=\"opblock-summary-method\""), "one rendered block per operation");
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException ignored) {
        // a profile left in the temp folder is harmless
      }
    }
  }

  /** The Chromium binary on PATH; failing (not skipping) the test when there is none. */
  private static String chromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : CHROMIUM_NAMES) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getAbsolutePath();
        }
      }
    }
    return fail("headless Chromium is needed to render /swagger-ui and none of " + CHROMIUM_NAMES
        + " is on PATH: install it with `apt-get install -y chromium` (.ci/run does this)");
  }

  private static int count(String text, String needle) {
    Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static String head(String dom) {
    return dom.length() > 2000 ? dom.substring(0, 2000) + "..." : dom;
  }
}
