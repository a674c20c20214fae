package org.brokkr.agent.reconcile;

import java.util.List;
import org.brokkr.agent.cluster.LiveObject;
import org.brokkr.agent.cluster.ObjectRef;
import org.brokkr.codecs.OwnershipAnnotations;

/**
 * What to delete for a stack: objects annotated with the stack, owned by this agent, not
 * controlled by another object, and not of the checksum now desired (null: the stack is gone, so
 * everything of it goes).
 */
public final class PrunePlan {
  private PrunePlan() {}

  public static List<ObjectRef> deletions(List<LiveObject> live, String agentId, String stackId, String keepChecksum) {
    return live.stream()
        .filter(o -> stackId.equals(o.annotations().get(OwnershipAnnotations.STACK)))
        .filter(o -> agentId.equals(o.annotations().get(OwnershipAnnotations.OWNER_ID)))
        .filter(o -> !o.hasOwnerReferences())
        .filter(o -> keepChecksum == null || !keepChecksum.equals(o.annotations().get(OwnershipAnnotations.CHECKSUM)))
        .map(LiveObject::ref)
        .toList();
  }
}
