package org.brokkr.broker.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.brokkr.broker.config.CorsSettings;
import org.brokkr.broker.config.ReloadableSettings;

/**
 * Cross-origin responses. On {@code /api/v1} it applies the configured rules and sits before
 * authentication, so a browser's preflight never needs a PAK; its origins and max age follow
 * configuration reloads. On the probes and {@code /metrics} it allows any origin, method and
 * header, as the reference does. A preflight is answered here; other requests go on with the
 * headers set.
 */
final class Cors implements Handler<RoutingContext> {
  private final boolean permissive;
  private volatile CorsSettings settings;

  private Cors(CorsSettings settings, boolean permissive) {
    this.settings = settings;
    this.permissive = permissive;
  }

  static Cors configured(CorsSettings settings) {
    return new Cors(settings, false);
  }

  static Cors permissive() {
    return new Cors(new CorsSettings(List.of("*"), List.of(), List.of(), 0), true);
  }

  /** A reload changed the runtime settings: origins and max age apply to the next request. */
  void reloaded(ReloadableSettings r) {
    CorsSettings s = settings;
    settings = new CorsSettings(r.corsAllowedOrigins(), s.allowedMethods(), s.allowedHeaders(), r.corsMaxAgeSeconds());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String origin = req.getHeader("Origin");
    boolean preflight = req.method() == HttpMethod.OPTIONS && req.getHeader("Access-Control-Request-Method") != null;
    if (origin == null) {
      ctx.next();
      return;
    }
    CorsSettings s = settings;
    HttpServerResponse res = ctx.response();
    boolean allowed = s.anyOrigin() || s.allowedOrigins().contains(origin);
    if (!s.anyOrigin()) {
      res.putHeader("Vary", "Origin");
    }
    if (allowed) {
      res.putHeader("Access-Control-Allow-Origin", s.anyOrigin() ? "*" : origin);
    }
    if (!preflight) {
      ctx.next();
      return;
    }
    if (allowed) {
      if (permissive) {
        res.putHeader("Access-Control-Allow-Methods", req.getHeader("Access-Control-Request-Method"));
        String asked = req.getHeader("Access-Control-Request-Headers");
        if (asked != null) {
          res.putHeader("Access-Control-Allow-Headers", asked);
        }
      } else {
        res.putHeader("Access-Control-Allow-Methods", String.join(",", s.allowedMethods()));
        res.putHeader("Access-Control-Allow-Headers", String.join(",", s.allowedHeaders()));
        res.putHeader("Access-Control-Max-Age", Integer.toString(s.maxAgeSeconds()));
      }
    }
    // a refused origin gets an answer without the allow headers: the browser stops there
    res.setStatusCode(200).putHeader("Content-Length", "0").end();
  }
}
