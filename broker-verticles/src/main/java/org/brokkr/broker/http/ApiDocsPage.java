package org.brokkr.broker.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * {@code /swagger-ui}: the interactive API page for the contract at {@code /docs/openapi.json},
 * unauthenticated as in the reference. The page is Swagger UI from its webjar on the classpath
 * (no CDN), served by {@link StaticHandler}, which reads files off the event loop; only the
 * initializer script is ours (it names our contract and turns off the online validator badge).
 */
final class ApiDocsPage {
  static final String PATH = "/swagger-ui";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
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

  private final String webRoot;

  private ApiDocsPage(String webRoot) {
    this.webRoot = webRoot;
  }

  /** Finds the webjar's versioned folder: blocking (a classpath read), so call it on a worker. */
  static ApiDocsPage locate() {
    Properties pom = new Properties();
    try (InputStream in = ApiDocsPage.class.getClassLoader().getResourceAsStream(WEBJAR_POM)) {
      if (in == null) {
        throw new IllegalStateException("the swagger-ui webjar is missing from the classpath");
      }
      pom.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + WEBJAR_POM, e);
    }
    String root = WEBJAR + pom.getProperty("version");
    if (ApiDocsPage.class.getClassLoader().getResource(root + "/swagger-ui-bundle.js") == null) {
      throw new IllegalStateException("the swagger-ui webjar has no " + root + "/swagger-ui-bundle.js");
    }
    return new ApiDocsPage(root);
  }

  void mount(Router root) {
    root.get(PATH).handler(ctx -> ctx.redirect(PATH + "/"));
    root.get(PATH + "/swagger-initializer.js").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/javascript; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .end(INITIALIZER));
    root.get(PATH + "/*").handler(StaticHandler.create(webRoot)
        .setDirectoryListing(false)
        .setCachingEnabled(true)
        .setMaxAgeSeconds(3600)
        .setIndexPage("index.html"));
  }
}
