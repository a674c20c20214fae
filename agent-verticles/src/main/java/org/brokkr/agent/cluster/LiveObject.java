package org.brokkr.agent.cluster;

import java.util.Map;

/** An object found in the cluster: where it is, its annotations, and whether something owns it. */
public record LiveObject(ObjectRef ref, Map<String, String> annotations, boolean hasOwnerReferences) {}
