package org.brokkr.broker.deployments;

import org.brokkr.codecs.ApiError;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Checks a submitted multi-document YAML bundle the way the reference does (syntax only). */
final class YamlDocuments {
  private YamlDocuments() {}

  static void validate(String content, boolean deletionMarker) {
    if (content.isBlank()) {
      if (deletionMarker) {
        return;
      }
      throw ApiError.invalid("invalid_deployment_object", "YAML content cannot be empty");
    }
    int documents = 0;
    try {
      LoadSettings settings = LoadSettings.builder()
          .setAllowDuplicateKeys(true)
          .setMaxAliasesForCollections(50)
          .setCodePointLimit(Integer.MAX_VALUE)
          .build();
      for (Object doc : new Load(settings).loadAllFromString(content)) {
        if (doc != null) {
          documents++;
        }
      }
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      throw ApiError.invalid("invalid_deployment_object", "invalid YAML: " + reason);
    }
    if (documents == 0 && !deletionMarker) {
      throw ApiError.invalid("invalid_deployment_object", "YAML content has no documents");
    }
  }
}
