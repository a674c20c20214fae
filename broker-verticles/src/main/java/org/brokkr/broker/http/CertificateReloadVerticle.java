package org.brokkr.broker.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Objects;
import org.brokkr.broker.config.TlsSettings;
import org.brokkr.codecs.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the HTTPS certificate and key files and puts a changed pair in service without a
 * restart (a Kubernetes Secret volume swaps both at once through a symlink). The files are
 * compared by content, read through the Vert.x file system; a pair that fails its checks is
 * reported once as a warning and the pair in service stays.
 */
public final class CertificateReloadVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloadVerticle.class);

  private final TlsSettings settings;
  private final HttpsServers servers;
  private long timer = -1;
  private boolean checking;
  private String rejectedDigest;
  private String lastWarning;

  public CertificateReloadVerticle(TlsSettings settings, HttpsServers servers) {
    this.settings = settings;
    this.servers = servers;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(settings.reloadIntervalSeconds() * 1000L, id -> check());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    ServingCertificate.read(vertx, settings)
        .compose(contents -> {
          String digest = contents.digest();
          if (digest.equals(servers.current().digest())) {
            lastWarning = null;
            return Future.succeededFuture();
          }
          if (digest.equals(rejectedDigest)) {
            return Future.succeededFuture();
          }
          return ServingCertificate.check(vertx, contents)
              .compose(next -> servers.install(next).map(next).recover(err -> Future.failedFuture(new ConfigException(
                  TlsSettings.CERT_FILE + " " + contents.certFile() + " and " + TlsSettings.KEY_FILE + " " + contents.keyFile()
                      + ": refused by the HTTPS server: " + ServingCertificate.reason(err)))))
              .onSuccess(next -> {
                lastWarning = null;
                rejectedDigest = null;
                LOG.info("TLS certificate reloaded cert_file={} key_file={} {}", contents.certFile(), contents.keyFile(),
                    next.describe());
              })
              .onFailure(err -> rejectedDigest = digest)
              .mapEmpty();
        })
        .onFailure(this::warnOnce)
        .onComplete(ar -> checking = false);
  }

  private void warnOnce(Throwable err) {
    String warning = ServingCertificate.reason(err);
    if (!Objects.equals(warning, lastWarning)) {
      lastWarning = warning;
      LOG.warn("TLS certificate not reloaded, the current one stays in service: {}", warning);
    }
  }
}
