package org.brokkr.agent.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * Shipwright's Build and BuildRun CRDs (v1beta1, from {@code src/test/resources/shipwright/}) in
 * the test API server; there is no Shipwright controller, so tests write BuildRun statuses.
 */
public final class ShipwrightCrds {
  public static final ResourceDefinitionContext BUILDS = kind("Build", "builds");
  public static final ResourceDefinitionContext BUILD_RUNS = kind("BuildRun", "buildruns");

  private ShipwrightCrds() {}

  /** Applies both CRDs (idempotent) and waits until the API server serves them. */
  public static synchronized void install(KubernetesClient admin) {
    for (String file : new String[] {"builds.shipwright.io.yaml", "buildruns.shipwright.io.yaml"}) {
      try (InputStream in = ShipwrightCrds.class.getResourceAsStream("/shipwright/" + file)) {
        CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        admin.apiextensions().v1().customResourceDefinitions().resource(crd).forceConflicts().serverSideApply();
        Eventually.holds(Duration.ofSeconds(60), file + " established", () -> {
          CustomResourceDefinition live = admin.apiextensions().v1().customResourceDefinitions()
              .withName(crd.getMetadata().getName()).get();
          return live.getStatus() != null && live.getStatus().getConditions().stream()
              .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
        });
      } catch (IOException e) {
        throw new IllegalStateException("cannot read shipwright/" + file, e);
      }
    }
  }

  private static ResourceDefinitionContext kind(String kind, String plural) {
    return new ResourceDefinitionContext.Builder().withGroup("shipwright.io").withVersion("v1beta1").withKind(kind)
        .withPlural(plural).withNamespaced(true).build();
  }
}
