package org.brokkr.broker.webhooks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import org.brokkr.broker.testing.TestBroker;

/** Blocking SQL on a test broker's pool, from the test thread. */
final class Db {
  private Db() {}

  static RowSet<Row> rows(TestBroker b, String sql, Object... args) {
    return Future.await(b.broker.pool().preparedQuery(sql).execute(Tuple.wrap(new ArrayList<>(Arrays.asList(args)))));
  }

  static Row row(TestBroker b, String sql, Object... args) {
    return rows(b, sql, args).iterator().next();
  }

  static long count(TestBroker b, String sql, Object... args) {
    return row(b, sql, args).getLong(0);
  }

  static void exec(TestBroker b, String sql, Object... args) {
    rows(b, sql, args);
  }
}
