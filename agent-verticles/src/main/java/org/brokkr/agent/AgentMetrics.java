package org.brokkr.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.brokkr.agent.live.LiveState;

/** The agent's Prometheus metrics (reference names), rendered in the text exposition format. */
public final class AgentMetrics {
  private static final double[] POLL_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final Map<String, AtomicLong> pollRequests = new ConcurrentHashMap<>();
  private final AtomicLongArray pollBuckets = new AtomicLongArray(POLL_BUCKETS.length);
  private final AtomicLong pollCount = new AtomicLong();
  private final AtomicLong pollSumMicros = new AtomicLong();
  private final AtomicLong heartbeats = new AtomicLong();
  private final AtomicLong lastPollEpochSeconds = new AtomicLong();
  private final AtomicLong brokerOutages = new AtomicLong();
  private final AtomicLong applied = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong pruned = new AtomicLong();
  private volatile long clusterWrites;
  private volatile long clusterCalls;
  private volatile boolean brokerReachable = true;
  private volatile long deploymentEventsPending;

  public void poll(boolean success, double seconds) {
    pollRequests.computeIfAbsent(success ? "success" : "error", k -> new AtomicLong()).incrementAndGet();
    for (int i = 0; i < POLL_BUCKETS.length; i++) {
      if (seconds <= POLL_BUCKETS[i]) {
        pollBuckets.incrementAndGet(i);
      }
    }
    pollCount.incrementAndGet();
    pollSumMicros.addAndGet((long) (seconds * 1_000_000));
    if (success) {
      lastPollEpochSeconds.set(System.currentTimeMillis() / 1000);
    }
  }

  public void heartbeatSent() {
    heartbeats.incrementAndGet();
  }

  public void brokerReachable(boolean reachable) {
    if (brokerReachable && !reachable) {
      brokerOutages.incrementAndGet();
    }
    brokerReachable = reachable;
  }

  public void reconciled(int appliedObjects, int failedObjects, int prunedObjects) {
    applied.addAndGet(appliedObjects);
    failed.addAndGet(failedObjects);
    pruned.addAndGet(prunedObjects);
  }

  /** Deployment events queued and not yet taken by the broker. */
  public void deploymentEventsPending(int pending) {
    deploymentEventsPending = pending;
  }

  public void cluster(long writes, long calls) {
    clusterWrites = writes;
    clusterCalls = calls;
  }

  // --- work orders ---
  private final Map<String, AtomicLong> workOrders = new ConcurrentHashMap<>();

  /** One work order handled: {@code succeeded}, {@code failed}, {@code not_claimable} or {@code report_failed}. */
  public void workOrder(String result) {
    workOrders.computeIfAbsent(result, k -> new AtomicLong()).incrementAndGet();
  }

  // --- end work orders ---

  // --- webhooks ---
  private final Map<String, AtomicLong> webhookDeliveries = new ConcurrentHashMap<>();

  /** One claimed webhook delivery handled: {@code success}, {@code failed}, {@code not_started} or {@code report_failed}. */
  public void webhookDelivery(String result) {
    webhookDeliveries.computeIfAbsent(result, k -> new AtomicLong()).incrementAndGet();
  }
  // --- end webhooks ---

  // --- live socket ---
  private volatile LiveState liveState = LiveState.DOWN;
  private final AtomicLong liveFramesSent = new AtomicLong();
  private final AtomicLong telemetryDropped = new AtomicLong();
  private final Map<String, AtomicLong> liveHints = new ConcurrentHashMap<>();
  private final AtomicLong liveHintsDropped = new AtomicLong();

  public void liveState(LiveState state) {
    liveState = state;
  }

  public void liveFrameSent() {
    liveFramesSent.incrementAndGet();
  }

  public void telemetryDropped() {
    telemetryDropped.incrementAndGet();
  }

  public long telemetryDroppedCount() {
    return telemetryDropped.get();
  }

  /** A push hint acted on, by frame type. */
  public void liveHint(String type) {
    liveHints.computeIfAbsent(type, k -> new AtomicLong()).incrementAndGet();
  }

  public void liveHintDropped() {
    liveHintsDropped.incrementAndGet();
  }

  private void renderLive(StringBuilder out) {
    out.append("# TYPE brokkr_agent_ws_state gauge\n");
    for (LiveState s : LiveState.values()) {
      out.append("brokkr_agent_ws_state{state=\"").append(s.label()).append("\"} ").append(s == liveState ? 1 : 0).append('\n');
    }
    gauge(out, "counter", "brokkr_agent_ws_frames_sent_total", liveFramesSent.get());
    gauge(out, "counter", "brokkr_agent_ws_telemetry_dropped_total", telemetryDropped.get());
    out.append("# TYPE brokkr_agent_ws_hints_total counter\n");
    liveHints.forEach((type, n) -> out.append("brokkr_agent_ws_hints_total{type=\"").append(type).append("\"} ")
        .append(n.get()).append('\n'));
    gauge(out, "counter", "brokkr_agent_ws_hints_dropped_total", liveHintsDropped.get());
  }
  // --- end live socket ---

  /** A counter with one {@code result} label. */
  private static void byResult(StringBuilder out, String name, Map<String, AtomicLong> counts) {
    out.append("# TYPE ").append(name).append(" counter\n");
    counts.forEach((result, n) -> out.append(name).append("{result=\"").append(result).append("\"} ")
        .append(n.get()).append('\n'));
  }

  public String render() {
    StringBuilder out = new StringBuilder();
    out.append("# TYPE brokkr_agent_poll_requests_total counter\n");
    pollRequests.forEach((status, n) -> out.append("brokkr_agent_poll_requests_total{status=\"").append(status).append("\"} ").append(n.get()).append('\n'));
    out.append("# TYPE brokkr_agent_poll_duration_seconds histogram\n");
    for (int i = 0; i < POLL_BUCKETS.length; i++) {
      out.append("brokkr_agent_poll_duration_seconds_bucket{le=\"").append(POLL_BUCKETS[i]).append("\"} ").append(pollBuckets.get(i)).append('\n');
    }
    out.append("brokkr_agent_poll_duration_seconds_bucket{le=\"+Inf\"} ").append(pollCount.get()).append('\n');
    out.append("brokkr_agent_poll_duration_seconds_sum ").append(pollSumMicros.get() / 1_000_000.0).append('\n');
    out.append("brokkr_agent_poll_duration_seconds_count ").append(pollCount.get()).append('\n');
    gauge(out, "counter", "brokkr_agent_heartbeat_sent_total", heartbeats.get());
    gauge(out, "gauge", "brokkr_agent_last_successful_poll_timestamp", lastPollEpochSeconds.get());
    gauge(out, "gauge", "brokkr_agent_broker_reachable", brokerReachable ? 1 : 0);
    gauge(out, "counter", "brokkr_agent_broker_outages_total", brokerOutages.get());
    gauge(out, "counter", "brokkr_agent_objects_applied_total", applied.get());
    gauge(out, "counter", "brokkr_agent_objects_failed_total", failed.get());
    gauge(out, "counter", "brokkr_agent_objects_pruned_total", pruned.get());
    gauge(out, "gauge", "brokkr_agent_deployment_events_pending", deploymentEventsPending);
    gauge(out, "counter", "brokkr_agent_kubernetes_writes_total", clusterWrites);
    gauge(out, "counter", "brokkr_agent_kubernetes_calls_total", clusterCalls);
    byResult(out, "brokkr_agent_work_orders_total", workOrders);
    byResult(out, "brokkr_agent_webhook_deliveries_total", webhookDeliveries);
    renderLive(out);
    return out.toString();
  }

  private static void gauge(StringBuilder out, String type, String name, long value) {
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n').append(name).append(' ').append(value).append('\n');
  }
}
