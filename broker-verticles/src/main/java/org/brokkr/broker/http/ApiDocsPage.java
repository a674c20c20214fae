package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.brokkr.codecs.Pak;

/**
 * {@code /swagger-ui}: the interactive API page for the contract at {@code /docs/openapi.json},
 * unauthenticated as in the reference. The page is Swagger UI from its webjar (no CDN); only the
 * initializer script is ours (it names our contract and turns off the online validator badge).
 * The few files the page needs are read from the classpath and gzipped once, on a worker, when
 * the page is first asked for, then served from memory: a file read never happens on an event
 * loop, and nothing is held until someone opens the page.
 */
final class ApiDocsPage {
  static final String PATH = "/swagger-ui";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "index.css", "text/css; charset=utf-8",
      "swagger-ui.css", "text/css; charset=utf-8",
      "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
      "swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8",
      "favicon-16x16.png", "image/png",
      "favicon-32x32.png", "image/png");
  private static final String INITIALIZER = """
      window.onload = function () {
        window.ui = SwaggerUIBundle({
          url: "../docs/openapi.json",
          dom_id: "#swagger-ui",
          deepLinking: true,
          validatorUrl: null,
          presets: [SwaggerUIBundle.presets.apis],
          layout: "BaseLayout"
        });
      };
      """;

  /** One file of the page: its type, bytes, gzipped bytes and entity tag. */
  private record Asset(String contentType, byte[] plain, byte[] gzipped, String etag) {}

  /** Loaded once per JVM; immutable afterwards. */
  private static volatile Map<String, Asset> assets;

  private ApiDocsPage() {}

  static void mount(Router root, Vertx vertx) {
    // Vert.x matches /swagger-ui/ to this route as well: only the bare path is redirected
    root.get(PATH).handler(ctx -> {
      if (ctx.request().path().equals(PATH)) {
        ctx.redirect(PATH + "/");
      } else {
        ctx.next();
      }
    });
    root.get(PATH + "/*").handler(ctx -> assets(vertx).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
        return;
      }
      String name = ctx.request().path().substring(PATH.length() + 1);
      Asset asset = ar.result().get(name.isEmpty() ? "index.html" : name);
      if (asset == null) {
        ctx.fail(404);
        return;
      }
      send(ctx, asset);
    }));
  }

  private static void send(RoutingContext ctx, Asset asset) {
    var response = ctx.response().putHeader("Content-Type", asset.contentType()).putHeader("ETag", asset.etag())
        .putHeader("Cache-Control", "no-cache").putHeader("Vary", "Accept-Encoding");
    if (asset.etag().equals(ctx.request().getHeader("If-None-Match"))) {
      response.setStatusCode(304).end();
      return;
    }
    String accepted = ctx.request().getHeader("Accept-Encoding");
    if (accepted != null && accepted.contains("gzip")) {
      // already compressed: the server's own compression leaves a response with Content-Encoding alone
      response.putHeader("Content-Encoding", "gzip").end(Buffer.buffer(asset.gzipped()));
    } else {
      response.end(Buffer.buffer(asset.plain()));
    }
  }

  private static Future<Map<String, Asset>> assets(Vertx vertx) {
    Map<String, Asset> loaded = assets;
    if (loaded != null) {
      return Future.succeededFuture(loaded);
    }
    // concurrent first requests may both load: the same bytes, and the last one wins
    return vertx.executeBlocking(ApiDocsPage::load).onSuccess(a -> assets = a);
  }

  /** Reads and compresses the page's files: blocking, on a worker. */
  private static Map<String, Asset> load() throws IOException {
    ClassLoader loader = ApiDocsPage.class.getClassLoader();
    Properties pom = new Properties();
    try (InputStream in = loader.getResourceAsStream(WEBJAR_POM)) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is missing from the classpath");
      }
      pom.load(in);
    }
    String root = WEBJAR + pom.getProperty("version") + "/";
    Map<String, Asset> out = new HashMap<>();
    for (var file : FILES.entrySet()) {
      try (InputStream in = loader.getResourceAsStream(root + file.getKey())) {
        if (in == null) {
          throw new IllegalStateException("the swagger-ui webjar has no " + root + file.getKey());
        }
        out.put(file.getKey(), asset(file.getValue(), in.readAllBytes()));
      }
    }
    out.put("swagger-initializer.js", asset("text/javascript; charset=utf-8", INITIALIZER.getBytes(StandardCharsets.UTF_8)));
    return Map.copyOf(out);
  }

  private static Asset asset(String contentType, byte[] plain) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream(plain.length / 3 + 64);
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    String etag = "\"" + Pak.sha256Hex(new String(plain, StandardCharsets.ISO_8859_1)).substring(0, 32) + "\"";
    return new Asset(contentType, plain, gz.toByteArray(), etag);
  }
}
