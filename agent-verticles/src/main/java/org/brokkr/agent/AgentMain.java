package org.brokkr.agent;

/** Agent entry point; the reconcile loop arrives with the agent issue. */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) {
    System.err.println("brokkr-agent: not implemented yet");
    System.exit(2);
  }
}
