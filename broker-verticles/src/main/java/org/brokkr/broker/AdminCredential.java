package org.brokkr.broker;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.broker.support.Invalidation;
import org.brokkr.codecs.Pak;

/**
 * The admin credential row ({@code admin_role}), shared by the broker's startup and the
 * {@code rotate admin} command: a configured hash wins; otherwise a stored hash is kept at startup
 * and replaced by a minted one on rotation. A replaced hash is revoked on every running broker.
 */
public final class AdminCredential {
  /** Serializes every writer of the admin credential (starting replicas, the CLI). */
  public static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('brokkr.bootstrap'))";
  private static final String ADMIN_ROW = "SELECT id, pak_hash FROM admin_role ORDER BY created_at, id LIMIT 1";
  private static final String INSERT_ADMIN = "INSERT INTO admin_role (pak_hash) VALUES ($1) RETURNING id";
  private static final String UPDATE_ADMIN = "UPDATE admin_role SET pak_hash = $2 WHERE id = $1";

  private AdminCredential() {}

  /** CONFIGURED: the configured hash is stored; MINTED: the minted one is; KEPT: the stored one stays. */
  public enum Outcome { CONFIGURED, MINTED, KEPT }

  /** What was done, to which admin_role row, and whether a different stored hash was replaced (and revoked). */
  public record Result(Outcome outcome, UUID adminId, boolean replaced) {}

  /**
   * Runs inside the caller's transaction (which should hold {@link #LOCK}).
   *
   * @param replaceStored false at startup (a stored credential is kept when none is configured),
   *     true for a rotation (the minted hash replaces it)
   */
  public static Future<Result> upsert(SqlConnection conn, Optional<String> configured, String mintedHash, boolean replaceStored) {
    return conn.query(ADMIN_ROW).execute().compose(rows -> {
      var it = rows.iterator();
      var stored = it.hasNext() ? it.next() : null;
      Outcome outcome = configured.isPresent() ? Outcome.CONFIGURED : Outcome.MINTED;
      String hash = configured.orElse(mintedHash);
      if (stored == null) {
        return conn.preparedQuery(INSERT_ADMIN).execute(Tuple.of(hash))
            .map(inserted -> new Result(outcome, inserted.iterator().next().getUUID("id"), false));
      }
      UUID id = stored.getUUID("id");
      String old = stored.getString("pak_hash");
      if (configured.isEmpty() && !replaceStored) {
        return Future.succeededFuture(new Result(Outcome.KEPT, id, false));
      }
      if (Pak.sameHash(old, hash)) {
        return Future.succeededFuture(new Result(outcome, id, false));
      }
      return conn.preparedQuery(UPDATE_ADMIN).execute(Tuple.of(id, hash))
          .compose(v -> Invalidation.pakHash(conn, old))
          .map(new Result(outcome, id, true));
    });
  }

  /** Writes a minted admin PAK, readable by its owner only. Blocking. */
  public static void writeKeyFile(Path file, String pak) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      } catch (UnsupportedOperationException ignored) {
        // non-POSIX file system: the file mode below still applies where it can
      }
    }
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, pak + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
