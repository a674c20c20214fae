package org.brokkr.broker.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.brokkr.broker.db.DatabaseTarget;

/** Plain JDBC reads for assertions, on the test thread (the CLI itself uses no JDBC beyond Flyway). */
final class Sql {
  private Sql() {}

  /** The rows of a query, each as its columns rendered as text. */
  static List<List<String>> rows(DatabaseTarget db, String sql, Object... args) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
         PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      List<List<String>> out = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> row = new ArrayList<>();
          for (int i = 1; i <= columns; i++) {
            row.add(rs.getString(i));
          }
          out.add(row);
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  static String scalar(DatabaseTarget db, String sql, Object... args) {
    var rows = rows(db, sql, args);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }
}
