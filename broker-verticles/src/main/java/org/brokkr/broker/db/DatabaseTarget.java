package org.brokkr.broker.db;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Where the database is: parsed once from a {@code postgres://} URL or an embedded server. */
public record DatabaseTarget(String host, int port, String database, String user, String password, Optional<String> schema) {

  public static DatabaseTarget fromUrl(String url, Optional<String> schema) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("database URL is not a valid URI");
    }
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String db = path.startsWith("/") ? path.substring(1) : path;
    return new DatabaseTarget(
        uri.getHost() == null ? "localhost" : uri.getHost(),
        uri.getPort() < 0 ? 5432 : uri.getPort(),
        db.isEmpty() ? user : decode(db),
        user,
        password,
        schema);
  }

  public DatabaseTarget withDatabase(String name) {
    return new DatabaseTarget(host, port, name, user, password, schema);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    schema.ifPresent(s -> options.addProperty("search_path", s + ",public"));
    return options;
  }

  /** Safe to log: no password. */
  public String describe() {
    return "postgres://" + user + "@" + host + ":" + port + "/" + database + schema.map(s -> " schema=" + s).orElse("");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
