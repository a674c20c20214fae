package org.brokkr.broker.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.brokkr.broker.config.Cidr;

/**
 * What a request says about its sender, as it may be stored: the client address (the direct peer,
 * or the first untrusted hop of {@code X-Forwarded-For} when the peer is a trusted proxy), and
 * header-derived fields bounded to {@link #MAX_FIELD} characters.
 */
public final class ClientInfo {
  /** Longest stored header-derived value (user agent, path). */
  public static final int MAX_FIELD = 256;
  /** Hops of X-Forwarded-For looked at, from the right; a longer chain is not walked further. */
  private static final int MAX_HOPS = 16;

  private final List<Cidr> trustedProxies;

  public ClientInfo(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /**
   * The peer's address unless the peer is a trusted proxy; then X-Forwarded-For is walked from the
   * right past trusted proxies, and the first other valid address is the client. A malformed hop
   * stops the walk at the last trusted address seen.
   */
  public String address(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null ? null : remote.hostAddress();
    if (peer == null || trustedProxies.isEmpty() || !trusted(Cidr.literal(peer))) {
      return peer;
    }
    List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    if (forwarded.isEmpty()) {
      return peer;
    }
    String[] hops = String.join(",", forwarded).split(",");
    String client = peer;
    for (int i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
      String hop = hops[i].trim();
      byte[] address = Cidr.literal(hop);
      if (address == null) {
        return client;
      }
      client = hop;
      if (!trusted(address)) {
        return hop;
      }
    }
    return client;
  }

  public static String userAgent(HttpServerRequest request) {
    return bounded(request.getHeader("User-Agent"));
  }

  public static String path(HttpServerRequest request) {
    return bounded(request.path());
  }

  public static String bounded(String value) {
    return value == null || value.length() <= MAX_FIELD ? value : value.substring(0, MAX_FIELD);
  }

  private boolean trusted(byte[] address) {
    for (Cidr cidr : trustedProxies) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
