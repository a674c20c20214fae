package org.brokkr.broker.http;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.brokkr.broker.support.ResourceVerticle;

/**
 * Which verticle address owns each operationId, learned from the resource verticles' own
 * {@code on(...)} registrations: an operation is declared once, where it is handled.
 */
public final class Operations {
  private final Map<String, String> owner;

  private Operations(Map<String, String> owner) {
    this.owner = Map.copyOf(owner);
  }

  /** The operations of these verticles; an operation claimed by two addresses is a startup error. */
  public static Operations of(Collection<? extends ResourceVerticle> verticles) {
    Map<String, String> owner = new TreeMap<>();
    for (ResourceVerticle v : verticles) {
      for (String op : v.operations()) {
        String previous = owner.put(op, v.address());
        if (previous != null && !previous.equals(v.address())) {
          throw new IllegalStateException("operation " + op + " is handled at both " + previous + " and " + v.address());
        }
      }
    }
    return new Operations(owner);
  }

  /** The owning address, or null when no verticle handles the operation. */
  public String owner(String operationId) {
    return owner.get(operationId);
  }

  public Set<String> ids() {
    return owner.keySet();
  }
}
