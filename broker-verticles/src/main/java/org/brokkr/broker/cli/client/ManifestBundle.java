package org.brokkr.broker.cli.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * A folder (its top-level {@code *.yaml} and {@code *.yml} files, in name order) or one file of
 * manifests as the single multi-document stream a stack's deployment object holds. Built exactly
 * as the reference SDKs' {@code apply} builds it, so that both compute the same checksum for the
 * same folder: each file read as text with universal newlines, trailing whitespace stripped, the
 * files joined by {@code \n---\n}, one final newline. Every document is checked before anything is
 * sent: it must parse and carry {@code apiVersion} and {@code kind}.
 */
record ManifestBundle(String content, String checksum, List<Path> files, int documents) {
  /** Folders with more files than this report each file as it is read. */
  static final int PROGRESS_ABOVE = 20;

  private static final LoadSettings YAML = LoadSettings.builder()
      .setAllowDuplicateKeys(true)
      .setMaxAliasesForCollections(1_000)
      .setCodePointLimit(Integer.MAX_VALUE)
      // 256 KiB per read: with the library's 1 KiB a long value costs the square of its length
      .setBufferSize(256 * 1024)
      .build();

  static ManifestBundle read(Path path, Consumer<String> progress) {
    List<Path> files = manifestFiles(path);
    boolean announce = files.size() > PROGRESS_ABOVE;
    List<String> parts = new ArrayList<>(files.size());
    int documents = 0;
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      if (announce) {
        progress.accept("reading " + (i + 1) + "/" + files.size() + ": " + file);
      }
      String text = universalNewlines(utf8(file));
      documents += checkDocuments(file, text);
      parts.add(stripTrailingWhitespace(text));
    }
    if (documents == 0) {
      throw new ClientFailure(path + ": no manifest documents to apply");
    }
    String content = String.join("\n---\n", parts) + "\n";
    return new ManifestBundle(content, sha256Hex(content), List.copyOf(files), documents);
  }

  /** One file as given, whatever its name; or a folder's regular files named {@code *.yaml}/{@code *.yml}. */
  static List<Path> manifestFiles(Path path) {
    if (Files.isRegularFile(path)) {
      return List.of(path);
    }
    if (!Files.isDirectory(path)) {
      throw new ClientFailure("path not found: " + path);
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(path)) {
      files = entries
          .filter(Files::isRegularFile)
          .filter(f -> {
            String suffix = suffix(f.getFileName().toString());
            return suffix.equals(".yaml") || suffix.equals(".yml");
          })
          .sorted((a, b) -> compareCodePoints(a.getFileName().toString(), b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new ClientFailure("cannot list " + path + ": " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new ClientFailure("no .yaml/.yml manifests found in " + path);
    }
    return files;
  }

  /** A file name's suffix as Python's {@code PurePath.suffix}: none for {@code .yaml} or {@code a.}. */
  static String suffix(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 && dot < name.length() - 1 ? name.substring(dot) : "";
  }

  /** Python compares strings by code point; {@link String#compareTo} by UTF-16 unit. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  private static String utf8(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ClientFailure("cannot read " + file + ": " + e.getMessage());
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ClientFailure(file + ": not valid UTF-8");
    }
  }

  /** {@code \r\n} and a lone {@code \r} become {@code \n}, as Python's text mode reads them. */
  static String universalNewlines(String text) {
    if (text.indexOf('\r') < 0) {
      return text;
    }
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** Python's {@code str.rstrip()}: every character {@code str.isspace()} calls whitespace. */
  static String stripTrailingWhitespace(String text) {
    int end = text.length();
    while (end > 0) {
      int cp = text.codePointBefore(end);
      if (!isPythonSpace(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return text.substring(0, end);
  }

  static boolean isPythonSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
  }

  /** The number of non-empty documents; a failure names the file and the line. */
  private static int checkDocuments(Path file, String text) {
    int documents = 0;
    try {
      StandardConstructor constructor = new StandardConstructor(YAML);
      for (Node node : new Compose(YAML).composeAllFromString(text)) {
        Object doc = constructor.constructSingleDocument(Optional.of(node));
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?> map) || !truthy(map.get("apiVersion")) || !truthy(map.get("kind"))) {
          throw new ClientFailure(file + ":" + line(node.getStartMark()) + ": every manifest document must have apiVersion and kind");
        }
        documents++;
      }
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
      throw new ClientFailure(file + ":" + line(mark) + ": invalid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new ClientFailure(file + ": invalid YAML: " + firstLine(e.getMessage()));
    }
    return documents;
  }

  /** Line and column, counted from 1. */
  private static String line(Optional<Mark> mark) {
    return mark.map(m -> (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("?");
  }

  /** As Python's {@code bool(value)}. */
  private static boolean truthy(Object value) {
    if (value == null) {
      return false;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (value instanceof CharSequence s) {
      return s.length() > 0;
    }
    if (value instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (value instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return !(value instanceof byte[] bytes) || bytes.length > 0;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    return message.lines().filter(l -> !l.isBlank()).findFirst().orElse(message).trim();
  }

  static String sha256Hex(String content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
