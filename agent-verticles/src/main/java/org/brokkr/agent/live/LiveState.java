package org.brokkr.agent.live;

/** Where the agent's live socket to the broker stands (the reference's state names). */
public enum LiveState {
  /** Not connected; dialing again after a backoff. */
  DOWN("Down"),
  UP("Up"),
  /** {@code ws_force_rest}: never dialed. */
  FORCE_REST_ONLY("ForceRestOnly"),
  /** The broker refused the upgrade 401/403 too often in a row: no more dialing; REST goes on. */
  AUTH_REJECTED("AuthRejected");

  private final String label;

  LiveState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
