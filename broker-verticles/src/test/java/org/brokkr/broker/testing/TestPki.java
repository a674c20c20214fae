package org.brokkr.broker.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for tests, made with the JDK alone: a small DER writer builds X.509 v3
 * certificates (RSA keys, SHA-256 signatures) for a test authority and the servers it vouches for.
 * Nothing here is fit for production; the keys only ever live in a test's temporary directory.
 */
public final class TestPki {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] SHA256_WITH_RSA = algorithm("1.2.840.113549.1.1.11");
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private TestPki() {}

  /** A certificate and the key pair it certifies. */
  public record Issued(X509Certificate certificate, KeyPair keys) {
    public String certificatePem() {
      return pem("CERTIFICATE", encoded(certificate));
    }

    /** The private key as PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public String pkcs8KeyPem() {
      return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /** The private key as PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), as older tools write it. */
    public String pkcs1KeyPem() {
      return pem("RSA PRIVATE KEY", pkcs1Of(keys.getPrivate()));
    }

    public BigInteger serial() {
      return certificate.getSerialNumber();
    }

    public String subject() {
      return certificate.getSubjectX500Principal().getName();
    }
  }

  /** A self-signed certificate authority that issues server certificates. */
  public static final class Authority {
    private final Issued self;

    private Authority(Issued self) {
      this.self = self;
    }

    public Issued certificate() {
      return self;
    }

    public String certificatePem() {
      return self.certificatePem();
    }

    /** A server certificate for {@code names}: DNS names, or IP addresses when they parse as such. */
    public Issued issue(String commonName, String... names) {
      return TestPki.issue(commonName, names, false, self);
    }

    /** The authority's certificate in a PEM file. */
    public Path writeTo(Path file) {
      return write(file, certificatePem());
    }

    /** An SSL context that trusts this authority only. */
    public SSLContext trustingContext() {
      return TestPki.trustingContext(this);
    }
  }

  public static Authority authority(String commonName) {
    return new Authority(issue(commonName, new String[0], true, null));
  }

  /** An SSL context that trusts these authorities and no other. */
  public static SSLContext trustingContext(Authority... authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.length; i++) {
        store.setCertificateEntry("ca-" + i, authorities[i].certificate().certificate());
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The leaf certificate a server presents to a new connection, checked against {@code trust} and
   * the host name as an HTTPS client checks it; fails as such a client fails.
   */
  public static X509Certificate peerCertificate(SSLContext trust, String host, int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket(host, port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  /** Writes text to a file (created or replaced) and returns the file. */
  public static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      return Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Issued issue(String commonName, String[] names, boolean ca, Issued issuer) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      KeyPair keys = generator.generateKeyPair();
      BigInteger serial = new BigInteger(63, RANDOM).add(BigInteger.ONE);
      byte[] subject = name(commonName);
      byte[] issuerName = issuer == null ? subject : issuer.certificate().getSubjectX500Principal().getEncoded();
      PrivateKey signer = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
      Instant now = Instant.now();
      List<byte[]> extensions = new ArrayList<>();
      extensions.add(extension("2.5.29.19", true, ca ? seq(tlv(0x01, new byte[] {(byte) 0xff})) : seq()));
      if (names.length > 0) {
        extensions.add(extension("2.5.29.17", false, subjectAltNames(names)));
      }
      byte[] tbs = seq(
          tlv(0xa0, integer(BigInteger.TWO)),
          integer(serial),
          SHA256_WITH_RSA,
          issuerName,
          seq(tlv(0x17, ascii(UTC_TIME.format(now.minus(Duration.ofHours(1))))),
              tlv(0x17, ascii(UTC_TIME.format(now.plus(Duration.ofDays(30)))))),
          subject,
          keys.getPublic().getEncoded(),
          tlv(0xa3, seq(extensions.toArray(byte[][]::new))));
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(signer);
      signature.update(tbs);
      byte[] der = seq(tbs, SHA256_WITH_RSA, bitString(signature.sign()));
      X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      return new Issued(certificate, keys);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] subjectAltNames(String[] names) {
    byte[][] entries = new byte[names.length][];
    for (int i = 0; i < names.length; i++) {
      entries[i] = names[i].matches("[0-9.]+|.*:.*")
          ? tlv(0x87, ipAddress(names[i]))
          : tlv(0x82, ascii(names[i]));
    }
    return seq(entries);
  }

  private static byte[] ipAddress(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (IOException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? seq(oid(oid), tlv(0x01, new byte[] {(byte) 0xff}), tlv(0x04, value))
        : seq(oid(oid), tlv(0x04, value));
  }

  private static byte[] name(String commonName) {
    return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
  }

  private static byte[] algorithm(String oid) {
    return seq(oid(oid), new byte[] {0x05, 0x00});
  }

  // --- DER ---

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  private static byte[] bitString(byte[] bits) {
    return tlv(0x03, concat(new byte[] {0}, bits));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      long arc = Long.parseLong(arcs[i]);
      byte[] base128 = new byte[10];
      int n = 0;
      do {
        base128[n++] = (byte) (arc & 0x7f);
        arc >>>= 7;
      } while (arc > 0);
      for (int j = n - 1; j >= 0; j--) {
        out.write(base128[j] | (j > 0 ? 0x80 : 0));
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      byte[] digits = BigInteger.valueOf(length).toByteArray();
      int skip = digits[0] == 0 ? 1 : 0;
      out.write(0x80 | (digits.length - skip));
      out.write(digits, skip, digits.length - skip);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: its last element, an OCTET STRING. */
  private static byte[] pkcs1Of(PrivateKey key) {
    byte[] der = key.getEncoded();
    int[] pos = {0};
    header(der, pos, 0x30);
    skip(der, pos); // version
    skip(der, pos); // algorithm
    int length = header(der, pos, 0x04);
    return Arrays.copyOfRange(der, pos[0], pos[0] + length);
  }

  private static int header(byte[] der, int[] pos, int tag) {
    if ((der[pos[0]++] & 0xff) != tag) {
      throw new IllegalStateException("unexpected DER tag");
    }
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int length = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      length = (length << 8) | (der[pos[0]++] & 0xff);
    }
    return length;
  }

  private static void skip(byte[] der, int[] pos) {
    int length = header(der, pos, der[pos[0]] & 0xff);
    pos[0] += length;
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
