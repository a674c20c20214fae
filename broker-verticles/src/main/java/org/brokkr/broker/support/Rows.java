package org.brokkr.broker.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.UUID;

/**
 * The one place where rows become wire JSON: column names are already the snake_case field names;
 * UUIDs become strings and timestamps RFC 3339 in UTC. Secret columns never leave the database.
 */
public final class Rows {
  private static final Set<String> HIDDEN = Set.of("pak_hash");
  private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private Rows() {}

  public static JsonObject json(Row row) {
    JsonObject out = new JsonObject();
    for (int i = 0; i < row.size(); i++) {
      String name = row.getColumnName(i);
      if (HIDDEN.contains(name)) {
        continue;
      }
      out.put(name, value(row.getValue(i)));
    }
    return out;
  }

  public static JsonArray jsonArray(RowSet<Row> rows) {
    JsonArray out = new JsonArray();
    for (Row row : rows) {
      out.add(json(row));
    }
    return out;
  }

  public static JsonObject first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? json(it.next()) : null;
  }

  static Object value(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof UUID u) {
      return u.toString();
    }
    if (v instanceof OffsetDateTime t) {
      return timestamp(t);
    }
    if (v instanceof LocalDateTime t) {
      return timestamp(t.atOffset(ZoneOffset.UTC));
    }
    if (v instanceof io.vertx.core.json.JsonObject || v instanceof io.vertx.core.json.JsonArray) {
      return v;
    }
    if (v instanceof Object[] arr) {
      JsonArray out = new JsonArray();
      for (Object o : arr) {
        out.add(value(o));
      }
      return out;
    }
    if (v instanceof Number || v instanceof Boolean || v instanceof String) {
      return v;
    }
    return v.toString();
  }

  public static String timestamp(OffsetDateTime t) {
    return RFC3339.format(t.withOffsetSameInstant(ZoneOffset.UTC));
  }
}
