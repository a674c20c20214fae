package org.brokkr.codecs.config;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A PEM bundle of certificate authorities that a client of the broker trusts instead of the
 * JVM's default ones (the agent's {@code agent.tls_ca_file}, the client's {@code --ca-file}).
 */
public final class CaBundle {
  private CaBundle() {}

  /**
   * The certificates of a PEM bundle; {@code setting} and {@code path} name it in the
   * {@link ConfigException} when it holds none or cannot be parsed.
   */
  public static List<X509Certificate> parse(byte[] pem, String setting, String path) {
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new ConfigException(setting + " " + path + ": not a PEM certificate bundle: " + firstLine(e));
    }
    if (out.isEmpty()) {
      throw new ConfigException(setting + " " + path + ": holds no PEM certificate");
    }
    return List.copyOf(out);
  }

  /** A TLS context that trusts exactly {@code authorities}; host names are checked by the client using it. */
  public static SSLContext sslContext(List<X509Certificate> authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  private static String firstLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
  }
}
