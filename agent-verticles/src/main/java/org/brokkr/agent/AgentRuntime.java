package org.brokkr.agent;

import java.time.Instant;
import java.util.UUID;
import org.brokkr.agent.live.LiveState;

/** What the agent knows about itself right now; shared by its verticles (thread-safe fields). */
public final class AgentRuntime {
  public final Instant startedAt = Instant.now();
  private volatile UUID agentId;
  private volatile String status = "INACTIVE";
  private volatile boolean brokerReachable = true;
  private volatile String brokerError;
  private volatile Instant lastHeartbeat;
  private volatile Instant lastSuccessfulPoll;
  private volatile boolean k8sReachable = true;
  private volatile String k8sError;
  private volatile LiveState liveState = LiveState.DOWN;

  public UUID agentId() {
    return agentId;
  }

  public void agentId(UUID id) {
    agentId = id;
  }

  public String status() {
    return status;
  }

  public void status(String s) {
    status = s;
  }

  /** The agent applies nothing unless an operator set it ACTIVE. */
  public boolean active() {
    return "ACTIVE".equals(status);
  }

  public void brokerUp() {
    brokerReachable = true;
    brokerError = null;
  }

  public void brokerDown(String error) {
    brokerReachable = false;
    brokerError = error;
  }

  public boolean brokerReachable() {
    return brokerReachable;
  }

  public String brokerError() {
    return brokerError;
  }

  public void heartbeatSent() {
    lastHeartbeat = Instant.now();
  }

  public Instant lastHeartbeat() {
    return lastHeartbeat;
  }

  public void pollSucceeded() {
    lastSuccessfulPoll = Instant.now();
  }

  public Instant lastSuccessfulPoll() {
    return lastSuccessfulPoll;
  }

  public void k8s(boolean reachable, String error) {
    k8sReachable = reachable;
    k8sError = error;
  }

  public boolean k8sReachable() {
    return k8sReachable;
  }

  public String k8sError() {
    return k8sError;
  }

  public LiveState liveState() {
    return liveState;
  }

  public void liveState(LiveState state) {
    liveState = state;
  }
}
