package org.brokkr.broker.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle and its checksum, pinned to what the reference's Python SDK (brokkr-client 0.9.1,
 * {@code _read_manifests} and {@code _sha256_hex}) computes for the same files, so that either
 * tool sees the other's revision as unchanged.
 */
class ManifestBundleTest {
  @TempDir
  Path dir;

  /** Files chosen for the rules that are easy to get wrong: order, suffixes, newlines, whitespace, BOM. */
  private static final Map<String, String> FOLDER = Map.of(
      "Z.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: z\n",
      "a.yml", "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\ndata:\r\n  k: \"v\"\r\n\r\n",
      "b.yaml", "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Secret\n"
          + "metadata:\n  name: b2\n# end\u00a0\u3000\n \n\n",
      ".hidden.yaml", "apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: hidden\r",
      "e.yaml", "# nothing here\n",
      "\u00e9.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: accent\n  labels: {x: \"\u00e9\"}\n",
      "c.YAML", "not: included\n",
      "notes.txt", "ignored",
      ".yaml", "not: included either\n",
      "dir.yaml/x.yaml", "apiVersion: v1\nkind: Nested\n");

  private Path write(Path root, Map<String, String> files) throws IOException {
    for (var e : files.entrySet()) {
      Path file = root.resolve(e.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
    }
    return root;
  }

  private static ManifestBundle read(Path path) {
    return ManifestBundle.read(path, line -> { });
  }

  @Test
  void aFolderIsBundledAsThePythonSdkBundlesIt() throws IOException {
    ManifestBundle bundle = read(write(dir, FOLDER));
    assertEquals(List.of(".hidden.yaml", "Z.yaml", "a.yml", "b.yaml", "e.yaml", "\u00e9.yaml"),
        bundle.files().stream().map(f -> f.getFileName().toString()).toList());
    assertEquals("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hidden\n---\napiVersion: v1\nkind: Namespace\n"
        + "metadata:\n  name: z\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"v\"\n---\n"
        + "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n"
        + "  name: b2\n# end\n---\n# nothing here\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: accent\n"
        + "  labels: {x: \"\u00e9\"}\n", bundle.content());
    assertEquals("f9b78bc1b1ad191a02d37b05fe0dc1dc5102c38d300bf539ced6bdddd65cd33b", bundle.checksum());
    assertEquals(6, bundle.documents());
  }

  @Test
  void aSingleFileIsTakenWhateverItsName() throws IOException {
    Path file = write(dir, FOLDER).resolve("a.yml");
    assertEquals("c7e1192e87d4d83afa5eaf19c0e5eb413d6262aee171886fb93b9f15b116365c", read(file).checksum());
    Path odd = dir.resolve("manifest.txt");
    Files.writeString(odd, FOLDER.get("Z.yaml"));
    assertEquals(List.of(odd), read(odd).files());
  }

  @Test
  void badYamlNamesTheFileAndTheLine() throws IOException {
    write(dir, Map.of("a.yaml", FOLDER.get("Z.yaml"), "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n"));
    ClientFailure e = assertThrows(ClientFailure.class, () -> read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("b.yaml") + ":5:1: invalid YAML: "), e.getMessage());
  }

  @Test
  void aDocumentWithoutKindNamesTheFileAndWhereTheDocumentStarts() throws IOException {
    write(dir, Map.of("one.yaml", "apiVersion: v1\nkind: A\n---\n# second\napiVersion: v1\nmetadata: {}\n"));
    ClientFailure e = assertThrows(ClientFailure.class, () -> read(dir));
    assertEquals(dir.resolve("one.yaml") + ":5:1: every manifest document must have apiVersion and kind", e.getMessage());
  }

  @Test
  void emptyInputsAreRefusedBeforeSending() throws IOException {
    assertEquals("path not found: " + dir.resolve("missing"),
        assertThrows(ClientFailure.class, () -> read(dir.resolve("missing"))).getMessage());
    write(dir, Map.of("notes.txt", "x"));
    assertEquals("no .yaml/.yml manifests found in " + dir,
        assertThrows(ClientFailure.class, () -> read(dir)).getMessage());
    write(dir, Map.of("only-comments.yaml", "# nothing\n---\n"));
    assertTrue(assertThrows(ClientFailure.class, () -> read(dir)).getMessage().contains("no manifest documents"));
    Files.write(dir.resolve("latin1.yaml"), new byte[] {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xe9});
    assertEquals(dir.resolve("latin1.yaml") + ": not valid UTF-8", assertThrows(ClientFailure.class, () -> read(dir)).getMessage());
  }

  @Test
  void largeFoldersReportEachFile() throws IOException {
    int n = ManifestBundle.PROGRESS_ABOVE + 1;
    for (int i = 0; i < n; i++) {
      Files.writeString(dir.resolve(String.format("cm-%03d.yaml", i)), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + i + "\n");
    }
    List<String> progress = new ArrayList<>();
    ManifestBundle.read(dir, progress::add);
    assertEquals(n, progress.size());
    assertEquals("reading 1/" + n + ": " + dir.resolve("cm-000.yaml"), progress.get(0));

    Path small = Files.createDirectory(dir.resolve("small"));
    Files.writeString(small.resolve("one.yaml"), FOLDER.get("Z.yaml"));
    List<String> quiet = new ArrayList<>();
    ManifestBundle.read(small, quiet::add);
    assertEquals(List.of(), quiet);
  }

  @Test
  void pythonRules() {
    assertEquals("", ManifestBundle.suffix(".yaml"));
    assertEquals("", ManifestBundle.suffix("a."));
    assertEquals(".yml", ManifestBundle.suffix("a.b.yml"));
    assertTrue(ManifestBundle.compareCodePoints("\uffff.yaml", "\ud83d\ude00.yaml") < 0, "code points, not UTF-16 units");
    assertEquals("x", ManifestBundle.stripTrailingWhitespace("x \t\n\u000b\u000c\r\u001c\u001f\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"));
    assertEquals("x\u200b", ManifestBundle.stripTrailingWhitespace("x\u200b"), "a zero-width space is not whitespace to Python");
    assertEquals("a\nb\nc\n", ManifestBundle.universalNewlines("a\r\nb\rc\n"));
  }
}
