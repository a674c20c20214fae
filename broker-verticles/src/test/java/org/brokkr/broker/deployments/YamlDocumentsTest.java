package org.brokkr.broker.deployments;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.brokkr.codecs.ApiError;
import org.junit.jupiter.api.Test;

/** The validator's limits, at their edges, and the checks it kept from before the limits. */
class YamlDocumentsTest {
  private static final int DEPTH = YamlDocuments.MAX_DEPTH;

  private static void accepted(String yaml) {
    assertDoesNotThrow(() -> YamlDocuments.validate(yaml, false), () -> yaml.length() > 200 ? yaml.substring(0, 200) : yaml);
  }

  private static ApiError refused(String code, String yaml) {
    ApiError e = assertThrows(ApiError.class, () -> YamlDocuments.validate(yaml, false));
    assertEquals(code, e.code(), e.getMessage());
    assertEquals(400, e.failure().httpStatus());
    assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  /** {@code a: &a [s0, ..., s<size-1>]} followed by {@code b: [*a, ...]} with {@code count} aliases. */
  private static String sharedList(int size, int count) {
    return "a: &a [" + list("s", size) + "]\nb: [" + IntStream.range(0, count).mapToObj(i -> "*a")
        .collect(Collectors.joining(", ")) + "]\n";
  }

  private static String list(String prefix, int size) {
    return IntStream.range(0, size).mapToObj(i -> prefix + i).collect(Collectors.joining(", "));
  }

  @Test
  void nestingUpToTheLimitIsAccepted() {
    accepted(YamlSamples.nestedSequences(DEPTH));
    accepted(YamlSamples.nestedMappings(DEPTH));
    accepted(YamlSamples.nestedBlockSequences(DEPTH));
    accepted(YamlSamples.deepCrd(40));
  }

  @Test
  void nestingBeyondTheLimitIsInvalidYaml() {
    refused("invalid_yaml", YamlSamples.nestedSequences(DEPTH + 1));
    refused("invalid_yaml", YamlSamples.nestedMappings(DEPTH + 1));
    refused("invalid_yaml", YamlSamples.nestedBlockSequences(DEPTH + 1));
    refused("invalid_yaml", YamlSamples.nestedSequences(50_000));
    refused("invalid_yaml", YamlSamples.nestedMappings(50_000));
    refused("invalid_yaml", "ok: 1\n---\n" + YamlSamples.nestedMappings(5_000));
  }

  @Test
  void anAliasMayNotCarryTheNestingPastTheLimit() {
    String anchored = "deep: &deep " + YamlSamples.nestedSequences(DEPTH - 1) + "\n";
    accepted(anchored + "again: *deep\n");
    refused("invalid_yaml", anchored + "again: [*deep]\n");
  }

  @Test
  void aliasesSharingWithinTheAllowanceAreAccepted() {
    accepted(YamlSamples.bundleWithAnchors());
    // 99 aliases of a 101-node list add 9,999 nodes: within the 10,000 allowance
    accepted(sharedList(100, 99));
    // a body that writes many nodes itself may share as many through aliases
    accepted("pad: [" + list("p", 20_000) + "]\n" + sharedList(100, 148));
    accepted("a: &a x\nb: [" + "*a, ".repeat(YamlDocuments.MAX_ALIASES - 1) + "*a]\n");
  }

  @Test
  void aliasesExpandingBeyondTheAllowanceAreInvalidYaml() {
    refused("invalid_yaml", sharedList(100, 100));
    refused("invalid_yaml", YamlSamples.aliasBomb(7, 7));
    refused("invalid_yaml", YamlSamples.aliasBomb(10, 9));
    refused("invalid_yaml", "a: &a x\nb: [" + "*a, ".repeat(YamlDocuments.MAX_ALIASES) + "*a]\n");
  }

  @Test
  void anAliasInsideItsOwnAnchorIsInvalidYaml() {
    refused("invalid_yaml", "loop: &loop [a, *loop]\n");
    refused("invalid_yaml", "loop: &loop {self: *loop}\n");
    refused("invalid_yaml", "x: &a 1\nloop: &a [*a]\n");
  }

  @Test
  void anchorsDoNotReachIntoLaterDocuments() {
    ApiError e = refused("invalid_deployment_object", "a: &x 1\n---\nb: *x\n");
    assertTrue(e.getMessage().startsWith("invalid YAML: ") && e.getMessage().contains("undefined alias"), e.getMessage());
    refused("invalid_deployment_object", "b: *nowhere\n");
  }

  @Test
  void longValuesAndManyDocumentsAcrossReadsAreChecked() {
    // a value spanning many of the reader's chunks, then a broken document after it
    String value = "v".repeat(3 * YamlDocuments.READ_CHARS + 17);
    accepted("data:\n  k: " + value + "\n---\nb: [1, 2]\n");
    refused("invalid_deployment_object", "data:\n  k: " + value + "\n---\nb: [1, 2\n");
    refused("invalid_yaml", "data:\n  k: " + value + "\n---\n" + YamlSamples.nestedSequences(DEPTH + 1));
  }

  @Test
  void otherChecksAreUnchanged() {
    assertEquals("YAML content cannot be empty", refused("invalid_deployment_object", " \n").getMessage());
    assertEquals("YAML content has no documents", refused("invalid_deployment_object", "# a comment\n").getMessage());
    assertTrue(refused("invalid_deployment_object", "a: [1, 2\nb: }").getMessage().startsWith("invalid YAML: "));
    assertTrue(refused("invalid_deployment_object", "a: !custom x\n").getMessage().startsWith("invalid YAML: "));
    accepted("{a: 1, a: 2}");
    assertDoesNotThrow(() -> YamlDocuments.validate("", true));
    assertDoesNotThrow(() -> YamlDocuments.validate("# nothing\n", true));
  }
}
