package org.brokkr.agent.cluster;

/** Identifies one object in the cluster; {@code namespace} is null for cluster-scoped kinds. */
public record ObjectRef(String apiVersion, String kind, String namespace, String name) {
  @Override
  public String toString() {
    return apiVersion + "/" + kind + " " + (namespace == null ? "" : namespace + "/") + name;
  }
}
