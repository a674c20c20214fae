package org.brokkr.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {
  private static final String HASH = "4c697273df3d764cba950bb5c04368097685f09259f5bd880d892cf1ff9f4cdd";

  private static BrokerConfig load(Map<String, String> env) {
    return BrokerConfig.fromEnvironment(env);
  }

  private static ConfigException invalid(String envName, String value) {
    return assertThrows(ConfigException.class, () -> load(Map.of(envName, value)));
  }

  @Test
  void envNamesMapToDottedKeys() {
    assertEquals("broker.pak_hash", Settings.keyOfEnv("BROKKR__BROKER__PAK_HASH"));
    assertEquals("database.url", Settings.keyOfEnv("BROKKR__DATABASE__URL"));
    assertEquals("BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS", Settings.envOf("broker.auth_cache_ttl_seconds"));
  }

  @Test
  void defaults() {
    BrokerConfig c = load(Map.of());
    assertEquals(3000, c.port());
    assertEquals("0.0.0.0", c.host());
    assertEquals(60, c.authCacheTtlSeconds());
    assertEquals(10_000, c.authCacheMaxEntries());
    assertEquals(10L * 1024 * 1024, c.maxBodyBytes());
    assertEquals(Pak.Format.DEFAULT, c.pakFormat());
    assertEquals("brokkr", c.pakFormat().prefix());
    assertEquals("BR", c.pakFormat().shortTokenPrefix());
    assertEquals(8, c.pakFormat().shortTokenLength());
    assertEquals(24, c.pakFormat().longTokenLength());
    assertEquals(Optional.empty(), c.adminPakHash(), "there is no built-in admin credential");
    assertEquals(Path.of("./brokkr-data", "admin-pak.txt").toString(), c.adminPakFile(),
        "embedded: the minted admin PAK lives beside the data it opens");
    assertEquals(List.of(), c.trustedProxies(), "X-Forwarded-For is trusted from nobody by default");
    assertTrue(c.agentSelfRegistration(), "open by default, as the reference");
    assertEquals(Optional.empty(), c.databaseUrl());
    assertEquals(Optional.empty(), c.databaseSchema());
    assertEquals("debug", c.logLevel());
    assertEquals("text", c.logFormat());
    assertEquals(20, c.databaseMaxConnections());
  }

  @Test
  void theAdminPakFileFollowsTheDatabaseMode() {
    assertEquals("/tmp/brokkr-keys/key.txt", load(Map.of("BROKKR__DATABASE__URL", "postgres://u:p@db/b")).adminPakFile(),
        "an external database keeps the reference's path");
    assertEquals(Path.of("/var/lib/brokkr", "admin-pak.txt").toString(),
        load(Map.of("BROKKR__DATABASE__EMBEDDED_DATA_DIR", "/var/lib/brokkr")).adminPakFile());
    assertEquals("/keys/admin", load(Map.of("BROKKR__BROKER__ADMIN_PAK_FILE", "/keys/admin")).adminPakFile());
  }

  @Test
  void trustedProxiesAndSelfRegistration() {
    BrokerConfig c = load(Map.of("BROKKR__BROKER__TRUSTED_PROXIES", " 10.0.0.0/8, 192.168.1.7 ,fd00::/8",
        "BROKKR__BROKER__AGENT_SELF_REGISTRATION", "Closed"));
    assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.7/32"), Cidr.parse("fd00::/8")), c.trustedProxies());
    assertFalse(c.agentSelfRegistration());
    for (String bad : new String[] {"10.0.0.0/33", "proxy.example.com", "10.0.0.0/x", "::1/129"}) {
      assertTrue(invalid("BROKKR__BROKER__TRUSTED_PROXIES", bad).getMessage().contains("BROKKR__BROKER__TRUSTED_PROXIES"), bad);
    }
    assertTrue(invalid("BROKKR__BROKER__AGENT_SELF_REGISTRATION", "sometimes").getMessage()
        .contains("BROKKR__BROKER__AGENT_SELF_REGISTRATION"));
  }

  @Test
  void environmentVariablesSetValues() {
    BrokerConfig c = load(Map.of(
        "BROKKR__BROKER__PAK_HASH", HASH.toUpperCase(),
        "BROKKR__BROKER__PORT", "8080",
        "BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS", "0",
        "BROKKR__DATABASE__URL", "postgres://u:p@db:5432/brokkr",
        "BROKKR__DATABASE__SCHEMA", "tenant_a",
        "BROKKR__PAK__PREFIX", "acme",
        "BROKKR__LOG__FORMAT", "JSON",
        "UNRELATED", "ignored"));
    assertEquals(Optional.of(HASH), c.adminPakHash(), "the hash is stored lower-case");
    assertEquals(8080, c.port());
    assertEquals(0, c.authCacheTtlSeconds());
    assertEquals(Optional.of("postgres://u:p@db:5432/brokkr"), c.databaseUrl());
    assertEquals(Optional.of("tenant_a"), c.databaseSchema());
    assertEquals("acme", c.pakFormat().prefix());
    assertEquals("json", c.logFormat());
  }

  @Test
  void blankPakHashMeansUnset() {
    assertEquals(Optional.empty(), load(Map.of("BROKKR__BROKER__PAK_HASH", "")).adminPakHash());
    assertEquals(Optional.empty(), load(Map.of("BROKKR__BROKER__PAK_HASH", "   ")).adminPakHash());
  }

  @Test
  void nonNumericPortNamesTheVariable() {
    ConfigException e = invalid("BROKKR__BROKER__PORT", "abc");
    assertTrue(e.getMessage().contains("BROKKR__BROKER__PORT"), e.getMessage());
    assertTrue(e.getMessage().contains("abc"), e.getMessage());
  }

  @Test
  void outOfRangeNumbersAreRejected() {
    assertTrue(invalid("BROKKR__BROKER__PORT", "70000").getMessage().contains("BROKKR__BROKER__PORT"));
    assertTrue(invalid("BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS", "-1").getMessage()
        .contains("BROKKR__BROKER__AUTH_CACHE_TTL_SECONDS"));
  }

  @Test
  void malformedPakHashIsRejectedWithoutEchoingIt() {
    for (String bad : new String[] {"abc123", HASH.substring(1), HASH.replace('4', 'z'), HASH + "00"}) {
      ConfigException e = invalid("BROKKR__BROKER__PAK_HASH", bad);
      assertTrue(e.getMessage().contains("BROKKR__BROKER__PAK_HASH"), e.getMessage());
      assertFalse(e.getMessage().contains(bad), "a secret is not echoed: " + e.getMessage());
    }
  }

  @Test
  void unknownLogFormatIsRejected() {
    ConfigException e = invalid("BROKKR__LOG__FORMAT", "xml");
    assertTrue(e.getMessage().contains("BROKKR__LOG__FORMAT"), e.getMessage());
    assertTrue(invalid("BROKKR__LOG__LEVEL", "loud").getMessage().contains("BROKKR__LOG__LEVEL"));
  }

  @Test
  void badSchemaNameIsRejected() {
    for (String bad : new String[] {"1abc", "a-b", "x;drop table agents", "\"quoted\""}) {
      ConfigException e = invalid("BROKKR__DATABASE__SCHEMA", bad);
      assertTrue(e.getMessage().contains("BROKKR__DATABASE__SCHEMA"), e.getMessage());
    }
  }

  @Test
  void nonPostgresUrlIsRejectedWithoutEchoingIt() {
    ConfigException e = invalid("BROKKR__DATABASE__URL", "mysql://user:secret@db/brokkr");
    assertTrue(e.getMessage().contains("BROKKR__DATABASE__URL"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void pakPrefixMayNotContainTheSeparator() {
    assertTrue(invalid("BROKKR__PAK__PREFIX", "my_co").getMessage().contains("BROKKR__PAK__PREFIX"));
    assertTrue(invalid("BROKKR__PAK__SHORT_TOKEN_PREFIX", "B_").getMessage()
        .contains("BROKKR__PAK__SHORT_TOKEN_PREFIX"));
  }

  @Test
  void tomlFileIsReadAndEnvironmentOverridesIt(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("brokkr.toml");
    Files.writeString(file, """
        # broker settings
        [broker]
        port = 4000
        auth_cache_ttl_seconds = 5   # short cache
        pak_hash = "%s"

        [log]
        format = "json"
        level = 'info'

        [pak]
        prefix = "filepfx"
        """.formatted(HASH));
    Map<String, String> env = new HashMap<>();
    env.put(Settings.CONFIG_FILE_ENV, file.toString());
    env.put("BROKKR__BROKER__PORT", "5000");
    env.put("BROKKR__LOG__LEVEL", "warn");
    BrokerConfig c = BrokerConfig.from(Settings.load(BrokerConfig.DEFAULTS, env));
    assertEquals(5000, c.port(), "environment beats the file");
    assertEquals("warn", c.logLevel(), "environment beats the file");
    assertEquals(5, c.authCacheTtlSeconds(), "file beats the defaults");
    assertEquals(Optional.of(HASH), c.adminPakHash());
    assertEquals("json", c.logFormat());
    assertEquals("filepfx", c.pakFormat().prefix());
    assertEquals(24, c.pakFormat().longTokenLength(), "unset keys keep their defaults");
  }

  @Test
  void invalidValueInTheFileIsReportedToo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("brokkr.toml");
    Files.writeString(file, "[broker]\nport = \"not-a-port\"\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> load(Map.of(Settings.CONFIG_FILE_ENV, file.toString())));
    assertTrue(e.getMessage().contains("BROKKR__BROKER__PORT"), e.getMessage());
  }

  @Test
  void missingOrMalformedFileNamesTheFileVariable(@TempDir Path dir) throws IOException {
    ConfigException missing = assertThrows(ConfigException.class,
        () -> load(Map.of(Settings.CONFIG_FILE_ENV, dir.resolve("absent.toml").toString())));
    assertTrue(missing.getMessage().contains(Settings.CONFIG_FILE_ENV), missing.getMessage());

    Path file = dir.resolve("broken.toml");
    Files.writeString(file, "[broker\nport 4000\n");
    ConfigException broken = assertThrows(ConfigException.class,
        () -> load(Map.of(Settings.CONFIG_FILE_ENV, file.toString())));
    assertTrue(broken.getMessage().contains(Settings.CONFIG_FILE_ENV), broken.getMessage());
  }

  @Test
  void diagnosticCleanupSettingsHaveTheReferenceNamesAndDefaults() {
    BrokerConfig defaults = load(Map.of());
    assertEquals(900, defaults.diagnosticCleanupIntervalSeconds());
    assertEquals(1, defaults.diagnosticMaxAgeHours());
    BrokerConfig set = load(Map.of("BROKKR__BROKER__DIAGNOSTIC_CLEANUP_INTERVAL_SECONDS", "60",
        "BROKKR__BROKER__DIAGNOSTIC_MAX_AGE_HOURS", "24"));
    assertEquals(60, set.diagnosticCleanupIntervalSeconds());
    assertEquals(24, set.diagnosticMaxAgeHours());
    assertTrue(invalid("BROKKR__BROKER__DIAGNOSTIC_CLEANUP_INTERVAL_SECONDS", "0").getMessage()
        .contains("BROKKR__BROKER__DIAGNOSTIC_CLEANUP_INTERVAL_SECONDS"));
    invalid("BROKKR__BROKER__DIAGNOSTIC_MAX_AGE_HOURS", "-1");
  }
}
