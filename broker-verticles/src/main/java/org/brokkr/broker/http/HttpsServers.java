package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The certificate in service and every HTTP server instance presenting it (one per event loop).
 * Installing a new pair updates each instance and only then makes it current, so a pair any
 * server refused never becomes current.
 */
public final class HttpsServers {
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private volatile ServingCertificate current;

  public HttpsServers(ServingCertificate initial) {
    this.current = initial;
  }

  public ServingCertificate current() {
    return current;
  }

  /** Makes {@code options} serve HTTPS with the current pair. */
  HttpServerOptions configure(HttpServerOptions options) {
    options.setSsl(true).setKeyCertOptions(current.keyCertOptions()).setTrustOptions(current.trustOptions());
    return options;
  }

  /** A server that listens with {@link #configure}d options; it follows every later install. */
  void add(HttpServer server) {
    servers.add(server);
  }

  void remove(HttpServer server) {
    servers.remove(server);
  }

  /** Puts {@code next} in service on every server; new connections present it, open ones keep theirs. */
  public Future<Void> install(ServingCertificate next) {
    ServerSSLOptions options = next.sslOptions();
    List<Future<Boolean>> updates = new ArrayList<>();
    for (HttpServer server : servers) {
      updates.add(server.updateSSLOptions(options));
    }
    return Future.all(updates).onSuccess(v -> current = next).mapEmpty();
  }
}
