package org.brokkr.agent.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;

/**
 * fabric8's Vert.x 5 client, asking an https API server for HTTP/2 through ALPN. A pass overlaps up
 * to {@code apply_concurrency} calls: over HTTP/1.1 each one in flight needs its own TLS
 * connection (a handshake and a server goroutine apiece, on cores the API server shares), over
 * HTTP/2 they are streams of one connection. A server that does not offer h2 gets HTTP/1.1 as
 * before (ALPN lists both). A plain-http server keeps HTTP/1.1: cleartext h2 would need an
 * upgrade dance that PATCH bodies do not survive well, and only tests use plain http. fabric8's
 * own switch ({@code http2Disable}, e.g. {@code KUBERNETES_HTTP2_DISABLE=true}) keeps HTTP/1.1 too.
 */
public final class ApiServerHttpClientFactory extends Vertx5HttpClientFactory {
  /** Connection-level flow-control window: large enough that concurrent list responses never wait on it. */
  private static final int CONNECTION_WINDOW_BYTES = 4 * 1024 * 1024;

  private final boolean http2;

  public ApiServerHttpClientFactory(Vertx vertx, Config config) {
    super(vertx);
    String url = config.getMasterUrl();
    this.http2 = url != null && url.regionMatches(true, 0, "https:", 0, 6) && !config.isHttp2Disable();
  }

  @Override
  protected void additionalConfig(WebClientOptions options, WebSocketClientOptions webSocketOptions, PoolOptions poolOptions) {
    if (!http2) {
      return;
    }
    options.setProtocolVersion(HttpVersion.HTTP_2)
        .setUseAlpn(true)
        .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
        .setHttp2ClearTextUpgrade(false)
        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW_BYTES);
    // one connection carries every stream; fabric8's pool size would let a burst of requests
    // made before the first handshake completes open a connection each
    poolOptions.setHttp2MaxSize(1);
  }
}
