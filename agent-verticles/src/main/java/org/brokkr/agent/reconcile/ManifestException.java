package org.brokkr.agent.reconcile;

/** A deployment object whose YAML cannot become Kubernetes objects. */
public final class ManifestException extends RuntimeException {
  public ManifestException(String message) {
    super(message, null, false, false);
  }
}
