package org.brokkr.broker.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out as the kubelet lays out a mounted Secret: {@code tls.crt -> ..data/tls.crt},
 * {@code ..data -> ..<version>}; publishing a new version swaps {@code ..data} in one rename, so a
 * reader sees the old pair or the new one, never half of each.
 */
public final class SecretVolume {
  public static final String CERT = "tls.crt";
  public static final String KEY = "tls.key";

  private final Path dir;
  private final AtomicInteger versions = new AtomicInteger();

  public SecretVolume(Path dir) {
    this.dir = dir;
  }

  public Path certFile() {
    return dir.resolve(CERT);
  }

  public Path keyFile() {
    return dir.resolve(KEY);
  }

  /** Writes a new version of both files and makes it the one the links point to. */
  public SecretVolume publish(String certPem, String keyPem) {
    try {
      Files.createDirectories(dir);
      String version = "..v" + versions.incrementAndGet();
      Path data = Files.createDirectory(dir.resolve(version));
      Files.writeString(data.resolve(CERT), certPem);
      Files.writeString(data.resolve(KEY), keyPem);
      Path next = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(version));
      Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      for (String name : new String[] {CERT, KEY}) {
        if (!Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
        }
      }
      return this;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
