package org.brokkr.broker.config;

import java.util.Optional;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Settings;

/**
 * HTTPS on the broker's listener: a PEM certificate file (the chain, leaf first) and its PEM
 * private key (PKCS#8, PKCS#1 or SEC1). Neither set is plain HTTP; one without the other is an
 * error. Both files are watched and a changed pair is put in service without a restart.
 *
 * @param certFile {@code broker.tls_cert_file}
 * @param keyFile {@code broker.tls_key_file}
 * @param reloadIntervalSeconds {@code broker.tls_reload_interval}: how often the files are checked; 0 never
 */
public record TlsSettings(Optional<String> certFile, Optional<String> keyFile, int reloadIntervalSeconds) {
  public static final String CERT_FILE = "broker.tls_cert_file";
  public static final String KEY_FILE = "broker.tls_key_file";
  public static final String RELOAD_INTERVAL = "broker.tls_reload_interval";
  public static final int DEFAULT_RELOAD_INTERVAL_SECONDS = 30;

  public TlsSettings {
    if (certFile.isPresent() != keyFile.isPresent()) {
      throw new ConfigException(bothRequired(certFile.isPresent() ? CERT_FILE : KEY_FILE));
    }
  }

  /** Plain HTTP. */
  public static TlsSettings disabled() {
    return new TlsSettings(Optional.empty(), Optional.empty(), DEFAULT_RELOAD_INTERVAL_SECONDS);
  }

  public static TlsSettings from(Settings s) {
    return new TlsSettings(
        s.nonBlank(CERT_FILE).map(String::trim),
        s.nonBlank(KEY_FILE).map(String::trim),
        s.integer(RELOAD_INTERVAL, DEFAULT_RELOAD_INTERVAL_SECONDS, 0, 86_400));
  }

  public boolean enabled() {
    return certFile.isPresent();
  }

  private static String bothRequired(String given) {
    return "HTTPS needs both " + Settings.envOf(CERT_FILE) + " (" + CERT_FILE + ") and " + Settings.envOf(KEY_FILE)
        + " (" + KEY_FILE + "); only " + given + " is set";
  }
}
