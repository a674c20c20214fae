package org.brokkr.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rotate admin}: the documented way back in, and the old admin PAK's end on running brokers. */
class AdminRotationCliTest {
  @TempDir
  Path dir;

  private static boolean isAdmin(TestBroker broker, String pak) {
    var r = broker.as(pak).post("/auth/pak", null);
    return r.statusCode() == 200 && r.bodyAsJsonObject().getBoolean("admin");
  }

  @Test
  void withoutAConfiguredHashANewAdminPakIsMintedWrittenAndTheOldOneRevoked() throws Exception {
    TestBroker broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.auth_cache_ttl_seconds", "3600"));
    try {
      assertTrue(isAdmin(broker, broker.adminPak));
      assertTrue(isAdmin(broker, broker.adminPak), "cached");
      Path keyFile = dir.resolve("keys").resolve("key.txt");

      CliRun run = CliRun.of(CliRun.env(broker.database, "BROKKR__BROKER__ADMIN_PAK_FILE", keyFile.toString()),
          "rotate", "admin").ok();
      String pak = run.field("New PAK");
      assertEquals(Pak.hashOfPresented(pak).orElseThrow(), run.field("Hash"));
      assertEquals(keyFile.toAbsolutePath().toString(), run.field("Written to"));
      assertEquals(pak + "\n", Files.readString(keyFile));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
      assertFalse(Files.exists(keyFile.resolveSibling("key.txt.new")));

      CliAgainstRunningBrokerTest.refusedAtOnce(broker, broker.adminPak);
      assertTrue(isAdmin(broker, pak));
      JsonObject details = new JsonObject(Sql.scalar(broker.database,
          "SELECT details::text FROM audit_logs WHERE action = 'pak.rotated' AND resource_type = 'admin'"));
      assertEquals("cli", details.getString("via"));
      assertEquals("minted", details.getString("outcome"));
    } finally {
      broker.closeKeepingDatabase();
      TestDatabase.drop(broker.database);
    }
  }

  @Test
  void aConfiguredHashIsReappliedAndNothingIsMinted() throws Exception {
    TestBroker broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.auth_cache_ttl_seconds", "3600"));
    try {
      assertTrue(isAdmin(broker, broker.adminPak));
      Pak.Minted chosen = Pak.mint(Pak.Format.DEFAULT);
      Path keyFile = dir.resolve("key.txt");

      CliRun run = CliRun.of(CliRun.env(broker.database, "BROKKR__BROKER__PAK_HASH", chosen.hash(),
          "BROKKR__BROKER__ADMIN_PAK_FILE", keyFile.toString()), "rotate", "admin").ok();
      assertTrue(run.out().startsWith("Admin PAK hash re-applied"), run.out());
      assertEquals(chosen.hash(), run.field("Hash"));
      assertFalse(run.out().contains("New PAK"), run.out());
      assertFalse(Files.exists(keyFile), "nothing minted, nothing written");

      CliAgainstRunningBrokerTest.refusedAtOnce(broker, broker.adminPak);
      assertTrue(isAdmin(broker, chosen.pak()));

      CliRun again = CliRun.of(CliRun.env(broker.database, "BROKKR__BROKER__PAK_HASH", chosen.hash()), "rotate", "admin").ok();
      assertTrue(again.out().contains("no different admin PAK"), again.out());
      assertTrue(isAdmin(broker, chosen.pak()));
    } finally {
      broker.closeKeepingDatabase();
      TestDatabase.drop(broker.database);
    }
  }

  @Test
  void anAdminMintedOnAnEmptyDatabaseIsKeptByTheFirstStart() throws Exception {
    DatabaseTarget db = TestDatabase.fresh();
    Path keyFile = dir.resolve("first.txt");
    String pak = CliRun.of(CliRun.env(db, "BROKKR__BROKER__ADMIN_PAK_FILE", keyFile.toString()), "rotate", "admin")
        .ok().field("New PAK");
    // a broker without a configured hash keeps the stored one
    TestBroker broker = TestBroker.start(db, Map.of("broker.pak_hash", "",
        "broker.admin_pak_file", dir.resolve("unused.txt").toString()));
    try {
      assertTrue(isAdmin(broker, pak));
      assertFalse(Files.exists(dir.resolve("unused.txt")));
    } finally {
      broker.closeKeepingDatabase();
      TestDatabase.drop(db);
    }
  }
}
