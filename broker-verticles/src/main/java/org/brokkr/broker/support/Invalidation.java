package org.brokkr.broker.support;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Revokes a cached PAK on every broker replica: the NOTIFY is sent on commit of the transaction
 * that rotated or deleted the identity, and every replica's auth verticle listens for it.
 */
public final class Invalidation {
  private Invalidation() {}

  public static Future<Void> pakHash(SqlConnection conn, String hash) {
    if (hash == null || hash.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery(Channels.notifySql(Channels.INVALIDATE)).execute(Tuple.of(hash)).mapEmpty();
  }
}
