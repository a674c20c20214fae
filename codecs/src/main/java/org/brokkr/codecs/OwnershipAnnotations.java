package org.brokkr.codecs;

/** The annotation keys the agent stamps on every object it applies (exact reference keys). */
public final class OwnershipAnnotations {
  public static final String STACK = "k8s.brokkr.io/stack";
  public static final String CHECKSUM = "k8s.brokkr.io/deployment-checksum";
  public static final String DEPLOYMENT_OBJECT_ID = "brokkr.io/deployment-object-id";
  public static final String LAST_CONFIG_APPLIED = "k8s.brokkr.io/last-config-applied";
  public static final String OWNER_ID = "brokkr.io/owner-id";

  private OwnershipAnnotations() {}
}
