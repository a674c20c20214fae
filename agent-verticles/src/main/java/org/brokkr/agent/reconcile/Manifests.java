package org.brokkr.agent.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.codecs.OwnershipAnnotations;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Pure functions from a deployment object's YAML to the objects the agent applies. */
public final class Manifests {
  /**
   * The reader takes 256 KiB at a time: its scanner copies its whole window on every read, so the
   * library's 1 KiB makes a long value cost the square of its length. A body is taken whole up to
   * 16 Mi code points (the broker's bodies are smaller; the library's default stops at 3 Mi).
   */
  private static final int SMALL_CHARS = 8 * 1024;
  private static final LoadSettings LARGE = settings(256 * 1024);
  /** Bodies shorter than {@link #SMALL_CHARS} are read in one go, without the large buffer. */
  private static final LoadSettings SMALL = settings(SMALL_CHARS);

  private static LoadSettings settings(int readChars) {
    return LoadSettings.builder()
        .setMaxAliasesForCollections(50)
        .setCodePointLimit(16 * 1024 * 1024)
        .setBufferSize(readChars)
        .build();
  }

  private Manifests() {}

  /** Every non-null document of a multi-document YAML bundle, each a Kubernetes object. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> parse(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (yaml == null || yaml.isBlank()) {
      return out;
    }
    Iterable<Object> docs;
    try {
      docs = new Load(yaml.length() < SMALL_CHARS ? SMALL : LARGE).loadAllFromString(yaml);
      int index = 0;
      for (Object doc : docs) {
        index++;
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?> map)) {
          throw new ManifestException("document " + index + " is not a mapping");
        }
        Map<String, Object> obj = (Map<String, Object>) map;
        requireString(obj, "apiVersion", index);
        requireString(obj, "kind", index);
        if (!(obj.get("metadata") instanceof Map<?, ?> meta) || !(meta.get("name") instanceof String name) || name.isBlank()) {
          throw new ManifestException("document " + index + " has no metadata.name");
        }
        out.add(obj);
      }
    } catch (ManifestException e) {
      throw e;
    } catch (RuntimeException e) {
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      throw new ManifestException("invalid YAML: " + reason);
    }
    return out;
  }

  private static void requireString(Map<String, Object> obj, String field, int index) {
    if (!(obj.get(field) instanceof String s) || s.isBlank()) {
      throw new ManifestException("document " + index + " has no " + field);
    }
  }

  /** Namespaces and CustomResourceDefinitions apply before everything else (relative order kept). */
  public static boolean isPriority(Map<String, Object> obj) {
    Object kind = obj.get("kind");
    return "Namespace".equals(kind) || "CustomResourceDefinition".equals(kind);
  }

  public static List<Map<String, Object>> ordered(List<Map<String, Object>> objects) {
    List<Map<String, Object>> out = new ArrayList<>();
    objects.stream().filter(Manifests::isPriority).forEach(out::add);
    objects.stream().filter(o -> !isPriority(o)).forEach(out::add);
    return out;
  }

  /** A copy of {@code obj} carrying the five ownership annotations (merged into its own). */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> stamped(Map<String, Object> obj, String stackId, String checksum, String objectId, String agentId) {
    Map<String, Object> copy = new LinkedHashMap<>(obj);
    Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) obj.get("metadata"));
    Map<String, Object> annotations = meta.get("annotations") instanceof Map<?, ?> a
        ? new LinkedHashMap<>((Map<String, Object>) a) : new LinkedHashMap<>();
    annotations.put(OwnershipAnnotations.STACK, stackId);
    annotations.put(OwnershipAnnotations.CHECKSUM, checksum);
    annotations.put(OwnershipAnnotations.DEPLOYMENT_OBJECT_ID, objectId);
    annotations.put(OwnershipAnnotations.LAST_CONFIG_APPLIED, checksum);
    annotations.put(OwnershipAnnotations.OWNER_ID, agentId);
    meta.put("annotations", annotations);
    copy.put("metadata", meta);
    return copy;
  }

  @SuppressWarnings("unchecked")
  public static ObjectRef ref(Map<String, Object> obj) {
    Map<String, Object> meta = (Map<String, Object>) obj.get("metadata");
    Object ns = meta.get("namespace");
    return new ObjectRef((String) obj.get("apiVersion"), (String) obj.get("kind"),
        ns instanceof String s && !s.isBlank() ? s : null, (String) meta.get("name"));
  }
}
