package org.brokkr.broker.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.web.handler.HttpException;
import java.util.Optional;
import org.brokkr.broker.ops.EventBusMetrics;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.Failure;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;
import org.brokkr.broker.support.Unavailable;

/**
 * Authenticates a PAK presented in the Authorization header ({@code Bearer <pak>} or bare, of the
 * configured format): the hash of its long token is looked up in the cache, else resolved by the
 * auth verticle. A lookup that cannot reach the database is a 503, never a 401.
 */
public final class PakAuthProvider implements AuthenticationProvider {
  private static final DeliveryOptions LOOKUP = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final AuthCache cache;
  private final Pak.Format format;
  private final EventBusMetrics busMetrics;

  public PakAuthProvider(Vertx vertx, AuthCache cache, Pak.Format format, EventBusMetrics busMetrics) {
    this.busMetrics = busMetrics;
    this.vertx = vertx;
    this.cache = cache;
    this.format = format;
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token)) {
      return Future.failedFuture(new HttpException(401, "missing PAK"));
    }
    return identify(token.getToken()).map(PakAuthProvider::toUser);
  }

  /**
   * The identity of an {@code Authorization} value already in the cache, or null (not cached, not
   * a PAK, or no value): for a hot path that leaves everything else to the regular one.
   */
  public Identity cached(String headerValue) {
    if (headerValue == null) {
      return null;
    }
    return Pak.hashOfPresented(headerValue, format).flatMap(cache::get).orElse(null);
  }

  public Future<Identity> identify(String headerValue) {
    Optional<String> hash = Pak.hashOfPresented(headerValue, format);
    if (hash.isEmpty()) {
      return Future.failedFuture(new HttpException(401, "malformed PAK"));
    }
    Optional<Identity> cached = cache.get(hash.get());
    if (cached.isPresent()) {
      return Future.succeededFuture(cached.get());
    }
    long generation = cache.generation();
    long sent = System.nanoTime();
    return vertx.eventBus().<Identity>request(Addresses.AUTH_VERIFY, hash.get(), LOOKUP)
        .andThen(ar -> busMetrics.record(Addresses.AUTH_VERIFY, sent, ar.cause()))
        .map(reply -> {
          cache.put(hash.get(), reply.body(), generation);
          return reply.body();
        })
        .recover(err -> {
          if (err instanceof ReplyException re && re.failureCode() == Failure.UNAUTHORIZED.number()) {
            return Future.failedFuture(new HttpException(401, "invalid PAK"));
          }
          return Future.failedFuture(new HttpException(503, Unavailable.database()));
        });
  }

  public static User toUser(Identity identity) {
    return User.create(identity.toJson());
  }

  public static Identity identityOf(User user) {
    return Identity.fromJson(user.principal());
  }
}
