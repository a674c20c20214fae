package org.brokkr.broker.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The versioned migration scripts shipped on the classpath ({@code db/migration/V<n>__<name>.sql}),
 * each with the checksum Flyway records for it: CRC32 over the UTF-8 bytes of every line without
 * its line break (a leading byte-order mark dropped). Reading them is file I/O: worker threads only.
 */
public final class PackagedMigrations {
  static final String LOCATION = "db/migration";
  private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__.+\\.sql");

  /** One script: its version as Flyway writes it ({@code 7}, {@code 1.2}), file name and checksum. */
  public record Script(String version, String file, int checksum) {}

  private PackagedMigrations() {}

  /** Every packaged versioned script by version. */
  public static Map<String, Script> list() throws IOException {
    URL location = PackagedMigrations.class.getClassLoader().getResource(LOCATION);
    if (location == null) {
      throw new IOException(LOCATION + " is missing from the classpath");
    }
    Map<String, Script> out = new TreeMap<>();
    if ("jar".equals(location.getProtocol())) {
      JarURLConnection connection = (JarURLConnection) location.openConnection();
      connection.setUseCaches(false);
      try (JarFile jar = connection.getJarFile()) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          JarEntry entry = entries.nextElement();
          String name = entry.getName();
          if (name.startsWith(LOCATION + "/") && name.indexOf('/', LOCATION.length() + 1) < 0) {
            try (InputStream in = jar.getInputStream(entry)) {
              add(out, name.substring(LOCATION.length() + 1), in);
            }
          }
        }
      }
    } else {
      Path dir;
      try {
        dir = Path.of(location.toURI());
      } catch (URISyntaxException e) {
        throw new IOException(e);
      }
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          try (InputStream in = Files.newInputStream(file)) {
            add(out, file.getFileName().toString(), in);
          }
        }
      }
    }
    return out;
  }

  private static void add(Map<String, Script> out, String file, InputStream in) throws IOException {
    Matcher m = VERSIONED.matcher(file);
    if (m.matches()) {
      String version = m.group(1).replace('_', '.');
      out.put(version, new Script(version, file, checksum(in)));
    }
  }

  static int checksum(InputStream in) throws IOException {
    CRC32 crc = new CRC32();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096);
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (!line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1);
      }
      crc.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return (int) crc.getValue();
  }
}
