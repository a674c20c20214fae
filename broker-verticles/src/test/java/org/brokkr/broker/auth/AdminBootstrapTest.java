package org.brokkr.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.broker.testing.TestBroker;
import org.brokkr.broker.testing.TestDatabase;
import org.brokkr.codecs.Pak;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin credential at startup: minted on a fresh database, kept, or replaced by configuration. */
class AdminBootstrapTest {
  private static final String PAK_SHAPE = "brokkr_BR[1-9A-HJ-NP-Za-km-z]{6}_[1-9A-HJ-NP-Za-km-z]{30,34}";

  @TempDir
  Path dir;

  /** A broker without a configured admin hash, writing a minted admin PAK to {@code keyFile}. */
  private static TestBroker unconfigured(DatabaseTarget db, Path keyFile) {
    return TestBroker.start(db, Map.of("broker.pak_hash", "", "broker.admin_pak_file", keyFile.toString()));
  }

  private static HttpResponse<Buffer> verify(TestBroker broker, String pak) {
    return broker.as(pak).post("/auth/pak", null);
  }

  private static void assertAdmin(TestBroker broker, String pak) {
    var r = verify(broker, pak);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsJsonObject().getBoolean("admin"), r.bodyAsString());
  }

  private static String readPak(Path keyFile) throws IOException {
    return Files.readString(keyFile, StandardCharsets.UTF_8).trim();
  }

  private static long count(TestBroker broker, String sql) throws Exception {
    return broker.broker.pool().query(sql).execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  @Test
  void freshDatabaseWithoutHashMintsAnAdminPakIntoTheKeyFile() throws Exception {
    Path keyFile = dir.resolve("keys").resolve("key.txt");
    try (TestBroker broker = unconfigured(TestDatabase.fresh(), keyFile)) {
      assertTrue(Files.exists(keyFile), "the key file is written");
      assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(keyFile));
      String pak = readPak(keyFile);
      assertTrue(pak.matches(PAK_SHAPE), pak);
      assertAdmin(broker, pak);
      assertEquals(401, verify(broker, broker.adminPak).statusCode(), "only the minted PAK is admin");
      assertEquals(200, broker.as(pak).get("/generators").statusCode());
      assertEquals(1, count(broker, "SELECT count(*) FROM admin_role"));
    }
  }

  @Test
  void configuredHashOnFreshDatabaseWritesNoKeyFile() throws Exception {
    Path keyFile = dir.resolve("unused.txt");
    try (TestBroker broker = TestBroker.start(TestDatabase.fresh(), Map.of("broker.admin_pak_file", keyFile.toString()))) {
      assertAdmin(broker, broker.adminPak);
      assertFalse(Files.exists(keyFile), "nothing is minted when the hash is configured");
    }
  }

  @Test
  void restartWithoutHashKeepsTheStoredAdmin() throws Exception {
    DatabaseTarget db = TestDatabase.fresh();
    Path keyFile = dir.resolve("key.txt");
    String pak;
    try (TestBroker first = unconfigured(db, keyFile)) {
      pak = readPak(keyFile);
      assertAdmin(first, pak);
    }
    Path secondFile = dir.resolve("second.txt");
    try (TestBroker second = unconfigured(db, secondFile)) {
      assertAdmin(second, pak);
      if (Files.exists(secondFile)) {
        assertEquals(pak, readPak(secondFile), "a rewritten key file must hold the kept PAK");
      }
      assertEquals(1, count(second, "SELECT count(*) FROM admin_role"));
      assertEquals(1, count(second, "SELECT count(*) FROM generators WHERE is_system AND deleted_at IS NULL"),
          "the system generator is provisioned once");
      assertEquals(1, count(second, "SELECT count(*) FROM generators WHERE name = 'admin-generator' AND deleted_at IS NULL"));
    }
  }

  @Test
  void configuredHashReplacesTheStoredAdmin() throws Exception {
    DatabaseTarget db = TestDatabase.fresh();
    Path keyFile = dir.resolve("key.txt");
    try (TestBroker first = unconfigured(db, keyFile)) {
      String minted = readPak(keyFile);
      assertAdmin(first, minted);

      // A second replica starts with a configured hash while the first is still serving
      // (and has the minted PAK cached): both must switch to the configured credential.
      Pak.Minted configured = Pak.mint(Pak.Format.DEFAULT);
      try (TestBroker second = TestBroker.start(db, Map.of("broker.pak_hash", configured.hash()))) {
        assertEquals(401, verify(second, minted).statusCode());
        assertAdmin(second, configured.pak());
        assertAdmin(first, configured.pak());
        awaitRefused(first, minted);
        assertEquals(1, count(second, "SELECT count(*) FROM admin_role"));
      }
    }
  }

  private static void awaitRefused(TestBroker broker, String pak) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (System.nanoTime() < deadline) {
      if (verify(broker, pak).statusCode() == 401) {
        return;
      }
      Thread.sleep(50);
    }
    fail("the replaced admin PAK was still accepted after 1 s");
  }
}
