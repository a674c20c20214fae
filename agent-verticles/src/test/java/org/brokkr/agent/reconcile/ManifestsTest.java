package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.brokkr.agent.cluster.ObjectRef;
import org.junit.jupiter.api.Test;

class ManifestsTest {
  private static final String BUNDLE = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: shop
      ---
      # nothing here but a comment
      ---
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: widgets.example.com
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: shop
        annotations:
          team: payments
      ---
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
      """;

  @Test
  void parsesEveryNonEmptyDocument() {
    List<Map<String, Object>> docs = Manifests.parse(BUNDLE);
    assertEquals(4, docs.size());
    assertEquals(List.of("ConfigMap", "CustomResourceDefinition", "Deployment", "Namespace"),
        docs.stream().map(d -> d.get("kind")).toList());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aValueOfSeveralMebibytesIsReadWhole() {
    // larger than the YAML library's default limit of 3 Mi code points, and one long plain scalar
    String value = "v".repeat(4 * 1024 * 1024);
    List<Map<String, Object>> docs = Manifests.parse(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: " + value + "\n---\n"
            + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\n");
    assertEquals(2, docs.size());
    assertEquals(value, ((Map<String, Object>) docs.get(0).get("data")).get("k"));
    assertEquals("small", ((Map<String, Object>) docs.get(1).get("metadata")).get("name"));
  }

  @Test
  void namespacesAndCrdsComeFirstOthersKeepTheirOrder() {
    List<Object> kinds = Manifests.ordered(Manifests.parse(BUNDLE)).stream().map(d -> d.get("kind")).toList();
    assertEquals(List.of("CustomResourceDefinition", "Namespace", "ConfigMap", "Deployment"), kinds);
  }

  @Test
  @SuppressWarnings("unchecked")
  void stampingAddsTheFiveAnnotationsAndKeepsExistingOnes() {
    Map<String, Object> web = Manifests.parse(BUNDLE).get(2);
    Map<String, Object> stamped = Manifests.stamped(web, "stack-1", "sum-1", "object-1", "agent-1");
    Map<String, Object> annotations = (Map<String, Object>) ((Map<String, Object>) stamped.get("metadata")).get("annotations");
    assertEquals("payments", annotations.get("team"));
    assertEquals("stack-1", annotations.get("k8s.brokkr.io/stack"));
    assertEquals("sum-1", annotations.get("k8s.brokkr.io/deployment-checksum"));
    assertEquals("object-1", annotations.get("brokkr.io/deployment-object-id"));
    assertEquals("sum-1", annotations.get("k8s.brokkr.io/last-config-applied"));
    assertEquals("agent-1", annotations.get("brokkr.io/owner-id"));
    Map<String, Object> original = (Map<String, Object>) ((Map<String, Object>) web.get("metadata")).get("annotations");
    assertEquals(1, original.size(), "the parsed manifest itself is not modified");
  }

  @Test
  void refsCarryNamespaceOnlyWhenGiven() {
    List<Map<String, Object>> docs = Manifests.parse(BUNDLE);
    assertEquals(new ObjectRef("v1", "ConfigMap", "shop", "settings"), Manifests.ref(docs.get(0)));
    assertNull(Manifests.ref(docs.get(3)).namespace());
  }

  @Test
  void emptyOrCommentOnlyYamlIsNoObjects() {
    assertTrue(Manifests.parse("").isEmpty());
    assertTrue(Manifests.parse("# only a comment\n").isEmpty());
  }

  @Test
  void rejectsBrokenYamlAndIncompleteObjects() {
    assertThrows(ManifestException.class, () -> Manifests.parse("kind: [unclosed"));
    assertThrows(ManifestException.class, () -> Manifests.parse("- a\n- b\n"));
    assertThrows(ManifestException.class, () -> Manifests.parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n"));
    assertThrows(ManifestException.class, () -> Manifests.parse("kind: ConfigMap\nmetadata:\n  name: x\n"));
  }
}
