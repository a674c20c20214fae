package org.brokkr.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplyOrderTest {
  private static Map<String, Object> doc(String apiVersion, String kind, String name) {
    return Map.of("apiVersion", apiVersion, "kind", kind, "metadata", Map.of("name", name, "namespace", "ns"));
  }

  @Test
  void workloadsAndTheirDataAreIndependentWhateverTheVersion() {
    assertTrue(ApplyOrder.independent(doc("v1", "ConfigMap", "a")));
    assertTrue(ApplyOrder.independent(doc("v1", "Secret", "a")));
    assertTrue(ApplyOrder.independent(doc("apps/v1", "Deployment", "a")));
    assertTrue(ApplyOrder.independent(doc("batch/v1", "CronJob", "a")));
    assertTrue(ApplyOrder.independent(doc("networking.k8s.io/v1", "Ingress", "a")));
  }

  @Test
  void kindsOthersMayDependOnAtAdmissionAreNot() {
    for (Map<String, Object> d : List.of(doc("v1", "Namespace", "a"), doc("apiextensions.k8s.io/v1", "CustomResourceDefinition", "a"),
        doc("v1", "ServiceAccount", "a"), doc("v1", "LimitRange", "a"), doc("v1", "ResourceQuota", "a"), doc("v1", "Service", "a"),
        doc("rbac.authorization.k8s.io/v1", "Role", "a"), doc("rbac.authorization.k8s.io/v1", "RoleBinding", "a"),
        doc("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "a"),
        doc("example.com/v1", "ConfigMap", "a"), doc("kyverno.io/v1", "ClusterPolicy", "a"))) {
      assertFalse(ApplyOrder.independent(d), d.toString());
    }
  }

  @Test
  void independentDocumentsShareAWaveAndAnyOtherKindKeepsItsPlaceAlone() {
    List<Map<String, Object>> docs = List.of(doc("v1", "ConfigMap", "a"), doc("v1", "Secret", "b"), doc("v1", "ServiceAccount", "sa"),
        doc("apps/v1", "Deployment", "d"), doc("v1", "ConfigMap", "c"), doc("v1", "Service", "s"), doc("v1", "Service", "t"));
    assertEquals(List.of(List.of(0, 1), List.of(2), List.of(3, 4), List.of(5), List.of(6)), ApplyOrder.waves(docs));
  }

  @Test
  void aSecondDocumentForTheSameObjectWaitsForTheFirst() {
    List<Map<String, Object>> docs = List.of(doc("v1", "ConfigMap", "a"), doc("v1", "ConfigMap", "b"), doc("v1", "ConfigMap", "a"),
        doc("apps/v1beta2", "Deployment", "d"), doc("apps/v1", "Deployment", "d"));
    assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)), ApplyOrder.waves(docs));
    assertEquals(List.of(), ApplyOrder.waves(List.of()));
  }

  @Test
  void aDeploymentObjectRunsAloneWhenAnyOfItsDocumentsIsNotIndependent() {
    assertFalse(ApplyOrder.exclusive(List.of(doc("v1", "ConfigMap", "a"), doc("apps/v1", "Deployment", "d"))));
    assertFalse(ApplyOrder.exclusive(List.of()), "a deletion marker or a failed parse has nothing to apply");
    assertTrue(ApplyOrder.exclusive(List.of(doc("v1", "Namespace", "ns"), doc("v1", "ConfigMap", "a"))));
    assertTrue(ApplyOrder.exclusive(List.of(doc("v1", "ConfigMap", "a"), doc("v1", "ServiceAccount", "sa"))));
  }
}
