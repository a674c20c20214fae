package org.brokkr.agent.state;

import java.util.List;
import org.brokkr.agent.cluster.ObjectRef;

/**
 * A deployment object whose objects this agent applied and still owns: its stack and the objects
 * it put into the cluster (a namespace is null where its manifest named none).
 */
public record OwnedDeploymentObject(String id, String stackId, List<ObjectRef> objects) {}
