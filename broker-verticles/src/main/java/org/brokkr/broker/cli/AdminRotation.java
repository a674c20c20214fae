package org.brokkr.broker.cli;

import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.brokkr.broker.AdminCredential;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.support.Journal;
import org.brokkr.codecs.Pak;

/**
 * {@code rotate admin}, the way back in for a locked-out admin: with no
 * {@code BROKKR__BROKER__PAK_HASH} it mints a new admin PAK, writes it to the admin PAK file and
 * prints it; with one it stores that hash. Either way a replaced hash stops working on running
 * brokers as soon as the change commits.
 */
final class AdminRotation {
  private final Pool pool;
  private final BrokerConfig config;

  AdminRotation(Pool pool, BrokerConfig config) {
    this.pool = pool;
    this.config = config;
  }

  /** Blocking: the key file is written beside its final place first, moved there after the commit. */
  Report run() {
    Pak.Minted minted = Pak.mint(config.pakFormat());
    boolean minting = config.adminPakHash().isEmpty();
    Path file = Path.of(config.adminPakFile()).toAbsolutePath();
    Path pending = file.resolveSibling(file.getFileName() + ".new");
    if (minting) {
      try {
        AdminCredential.writeKeyFile(pending, minted.pak());
      } catch (IOException e) {
        throw new CliFailure("cannot write the admin PAK file " + file + ": " + BrokerCli.describe(e) + " (nothing was changed)");
      }
    }
    AdminCredential.Result result;
    try {
      result = CliDatabase.await(pool.withTransaction(conn -> conn.query(AdminCredential.LOCK).execute()
          .compose(v -> AdminCredential.upsert(conn, config.adminPakHash(), minted.hash(), true))
          .compose(r -> Journal.audit(conn, audit(r)).map(r))));
    } catch (Exception e) {
      deleteQuietly(pending);
      throw e;
    }
    List<String> lines = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (result.outcome() == AdminCredential.Outcome.MINTED) {
      lines.add("Admin PAK rotated successfully:");
      lines.add("New PAK: " + minted.pak());
      lines.add("Hash: " + minted.hash());
      try {
        Files.move(pending, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        lines.add("Written to: " + file);
      } catch (IOException e) {
        warnings.add("warning: the new admin PAK is in effect but could not be moved to " + file + " ("
            + BrokerCli.describe(e) + "); keep the PAK printed above");
      }
    } else {
      String hash = config.adminPakHash().orElseThrow();
      lines.add("Admin PAK hash re-applied from BROKKR__BROKER__PAK_HASH; no PAK was minted.");
      lines.add("Hash: " + hash);
    }
    lines.add(result.replaced()
        ? "The previous admin PAK no longer works, on running brokers too."
        : "There was no different admin PAK to revoke.");
    return new Report(lines, warnings);
  }

  private static org.brokkr.broker.support.AuditEntry audit(AdminCredential.Result r) {
    var entry = IdentityCommands.audit("pak.rotated", "admin", r.adminId(), "admin");
    entry.details().put("outcome", r.outcome() == AdminCredential.Outcome.MINTED ? "minted" : "configured");
    return entry;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover .new file holds a PAK that was never stored: useless, and readable by its owner only
    }
  }
}
