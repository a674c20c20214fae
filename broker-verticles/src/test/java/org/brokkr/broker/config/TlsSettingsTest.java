package org.brokkr.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.brokkr.codecs.config.ConfigException;
import org.junit.jupiter.api.Test;

/** {@code broker.tls_*}: both files or neither, and how often they are checked for a change. */
class TlsSettingsTest {
  @Test
  void plainHttpByDefault() {
    TlsSettings tls = BrokerConfig.fromEnvironment(Map.of()).tls();
    assertFalse(tls.enabled());
    assertEquals(Optional.empty(), tls.certFile());
    assertEquals(30, tls.reloadIntervalSeconds());
  }

  @Test
  void bothFilesFromTheEnvironmentTurnHttpsOn() {
    TlsSettings tls = BrokerConfig.fromEnvironment(Map.of(
        "BROKKR__BROKER__TLS_CERT_FILE", "/etc/brokkr/tls/tls.crt",
        "BROKKR__BROKER__TLS_KEY_FILE", " /etc/brokkr/tls/tls.key ",
        "BROKKR__BROKER__TLS_RELOAD_INTERVAL", "5")).tls();
    assertTrue(tls.enabled());
    assertEquals(Optional.of("/etc/brokkr/tls/tls.crt"), tls.certFile());
    assertEquals(Optional.of("/etc/brokkr/tls/tls.key"), tls.keyFile());
    assertEquals(5, tls.reloadIntervalSeconds());
    assertEquals(0, BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__TLS_RELOAD_INTERVAL", "0")).tls().reloadIntervalSeconds(),
        "0 turns the reload off");
  }

  @Test
  void oneFileWithoutTheOtherNamesBothSettings() {
    for (String given : new String[] {"BROKKR__BROKER__TLS_CERT_FILE", "BROKKR__BROKER__TLS_KEY_FILE"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> BrokerConfig.fromEnvironment(Map.of(given, "/some/file")));
      assertTrue(e.getMessage().contains("BROKKR__BROKER__TLS_CERT_FILE (broker.tls_cert_file)"), e.getMessage());
      assertTrue(e.getMessage().contains("BROKKR__BROKER__TLS_KEY_FILE (broker.tls_key_file)"), e.getMessage());
      assertTrue(e.getMessage().contains("only " + org.brokkr.codecs.config.Settings.keyOfEnv(given) + " is set"), e.getMessage());
    }
    assertFalse(BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__TLS_CERT_FILE", " ", "BROKKR__BROKER__TLS_KEY_FILE", ""))
        .tls().enabled(), "blank counts as unset");
  }

  @Test
  void aBadIntervalNamesItsVariable() {
    for (String bad : new String[] {"-1", "soon", "86401"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__TLS_RELOAD_INTERVAL", bad)));
      assertTrue(e.getMessage().contains("BROKKR__BROKER__TLS_RELOAD_INTERVAL"), e.getMessage());
    }
  }
}
