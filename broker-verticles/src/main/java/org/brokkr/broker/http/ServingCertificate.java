package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;
import org.brokkr.broker.config.TlsSettings;
import org.brokkr.codecs.config.ConfigException;

/**
 * The certificate chain and private key the HTTPS listener presents, read from their PEM files
 * and checked as a pair: the chain parses, the key parses (whatever {@link PemKeyCertOptions}
 * reads: PKCS#8, PKCS#1, SEC1) and the key signs what the leaf certificate's public key
 * verifies. Failures are {@link ConfigException}s naming the setting and the file, never the
 * key's contents.
 */
public final class ServingCertificate {
  /**
   * The broker authenticates clients by PAK, never by certificate: with this as the server's trust
   * the TLS context does not load the JVM's default authorities (a file read) on the event loop
   * when it is built for the first connection.
   */
  private static final X509TrustManager NO_CLIENT_CERTIFICATES = new X509TrustManager() {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("the broker accepts no client certificate");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("not a client");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  };

  private final Contents contents;
  private final X509Certificate leaf;
  private final KeyManagerFactory keyManagers;

  /** The two files as read; the digest tells whether they changed since. */
  public record Contents(String certFile, String keyFile, Buffer chain, Buffer key) {
    public String digest() {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(chain.getBytes());
        sha.update((byte) 0);
        sha.update(key.getBytes());
        return HexFormat.of().formatHex(sha.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private ServingCertificate(Contents contents, X509Certificate leaf, KeyManagerFactory keyManagers) {
    this.contents = contents;
    this.leaf = leaf;
    this.keyManagers = keyManagers;
  }

  /** Reads and checks the configured pair. */
  public static Future<ServingCertificate> load(Vertx vertx, TlsSettings tls) {
    return read(vertx, tls).compose(contents -> check(vertx, contents));
  }

  /** Reads both files through the Vert.x file system (never on the event loop itself). */
  public static Future<Contents> read(Vertx vertx, TlsSettings tls) {
    String certFile = tls.certFile().orElseThrow();
    String keyFile = tls.keyFile().orElseThrow();
    return readOne(vertx, TlsSettings.CERT_FILE, certFile)
        .compose(chain -> readOne(vertx, TlsSettings.KEY_FILE, keyFile)
            .map(key -> new Contents(certFile, keyFile, chain, key)));
  }

  /** Parses and pairs the contents on a worker thread (key parsing and signing take entropy and time). */
  public static Future<ServingCertificate> check(Vertx vertx, Contents contents) {
    return vertx.executeBlocking(() -> parse(vertx, contents), false);
  }

  private static Future<Buffer> readOne(Vertx vertx, String setting, String path) {
    return vertx.fileSystem().readFile(path).recover(err -> Future.failedFuture(
        new ConfigException(setting + " " + path + ": cannot read: " + reason(err))));
  }

  private static ServingCertificate parse(Vertx vertx, Contents contents) {
    X509Certificate leaf = leafOf(contents);
    PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(contents.chain()).setKeyValue(contents.key());
    KeyManagerFactory factory;
    X509KeyManager keys;
    try {
      factory = options.getKeyManagerFactory(vertx);
      keys = x509(factory.getKeyManagers());
    } catch (Exception e) {
      throw new ConfigException(TlsSettings.KEY_FILE + " " + contents.keyFile() + ": not a usable PEM private key: " + reason(e));
    }
    String[] aliases = keys.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
    PrivateKey key = aliases == null || aliases.length == 0 ? null : keys.getPrivateKey(aliases[0]);
    if (key == null || !pairs(key, leaf.getPublicKey())) {
      throw new ConfigException(TlsSettings.KEY_FILE + " " + contents.keyFile() + ": the private key does not belong to the "
          + "first certificate of " + TlsSettings.CERT_FILE + " " + contents.certFile());
    }
    return new ServingCertificate(contents, leaf, factory);
  }

  private static X509Certificate leafOf(Contents contents) {
    Collection<? extends Certificate> chain;
    try {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(contents.chain().getBytes()));
    } catch (Exception e) {
      throw new ConfigException(TlsSettings.CERT_FILE + " " + contents.certFile() + ": not a PEM certificate chain: " + reason(e));
    }
    if (chain.isEmpty() || !(chain.iterator().next() instanceof X509Certificate leaf)) {
      throw new ConfigException(TlsSettings.CERT_FILE + " " + contents.certFile() + ": holds no X.509 certificate");
    }
    return leaf;
  }

  private static X509KeyManager x509(KeyManager[] managers) {
    for (KeyManager m : managers) {
      if (m instanceof X509KeyManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X.509 key manager");
  }

  /** True when {@code key} signs what {@code certified} verifies; a key type we cannot test passes. */
  private static boolean pairs(PrivateKey key, PublicKey certified) {
    String algorithm = switch (certified.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> certified.getAlgorithm();
      case "DSA" -> "SHA256withDSA";
      default -> null;
    };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] probe = "brokkr serving certificate pairing probe".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (Exception e) {
      return false;
    }
  }

  /** One line about a failure: the root cause's kind and message, shortened; never file contents. */
  static String reason(Throwable err) {
    Throwable root = err;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof NoSuchFileException) {
      return "no such file";
    }
    if (root instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (root instanceof ConfigException) {
      return root.getMessage();
    }
    String message = root.getMessage();
    String text = root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message.lines().findFirst().orElse(""));
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  public Contents contents() {
    return contents;
  }

  public String digest() {
    return contents.digest();
  }

  /**
   * The key and certificate of a server presenting this pair: the key manager built while checking
   * it, so the first connection's TLS context does not parse PEM on the event loop.
   */
  public KeyCertOptions keyCertOptions() {
    return KeyCertOptions.wrap(keyManagers);
  }

  /** The server's trust: no client certificate is asked for, and none would be accepted. */
  public TrustOptions trustOptions() {
    return TrustOptions.wrap(NO_CLIENT_CERTIFICATES);
  }

  /** What {@code HttpServer#updateSSLOptions} takes to put this pair in service. */
  public ServerSSLOptions sslOptions() {
    return new ServerSSLOptions().setKeyCertOptions(keyCertOptions()).setTrustOptions(trustOptions());
  }

  /** For logs: who the leaf certificate names, its serial and its end. */
  public String describe() {
    return "subject=\"" + leaf.getSubjectX500Principal().getName() + "\" serial=" + leaf.getSerialNumber().toString(16)
        + " not_after=" + leaf.getNotAfter().toInstant();
  }

  public boolean expired(Instant now) {
    return leaf.getNotAfter().toInstant().isBefore(now);
  }
}
