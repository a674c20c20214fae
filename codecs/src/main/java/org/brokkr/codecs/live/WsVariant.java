package org.brokkr.codecs.live;

import static org.brokkr.codecs.live.WsField.Kind.BOOL;
import static org.brokkr.codecs.live.WsField.Kind.INT32;
import static org.brokkr.codecs.live.WsField.Kind.INT64;
import static org.brokkr.codecs.live.WsField.Kind.TEXT;
import static org.brokkr.codecs.live.WsField.Kind.TIMESTAMP;
import static org.brokkr.codecs.live.WsField.Kind.UINT64;
import static org.brokkr.codecs.live.WsField.Kind.UUID;
import static org.brokkr.codecs.live.WsField.optional;
import static org.brokkr.codecs.live.WsField.required;

import java.util.List;
import java.util.Optional;

/**
 * The variants of the agent live channel, with the fields of each body in wire order (the order
 * the reference writes them). Downlink variants are hints from the broker; uplink ones come from
 * the agent; {@code fleet_update} is for fleet stream subscribers only.
 */
public enum WsVariant {
  WORK_ORDER("work_order", Direction.DOWN,
      required("id", UUID), required("created_at", TIMESTAMP), required("updated_at", TIMESTAMP),
      required("work_type", TEXT), required("yaml_content", TEXT), required("status", TEXT),
      optional("claimed_by", UUID), optional("claimed_at", TIMESTAMP), required("claim_timeout_seconds", INT32),
      required("max_retries", INT32), required("retry_count", INT32), required("backoff_seconds", INT32),
      optional("next_retry_after", TIMESTAMP), optional("last_error", TEXT), optional("last_error_at", TIMESTAMP)),
  TARGET_CHANGED("target_changed", Direction.DOWN,
      required("id", UUID), required("agent_id", UUID), required("stack_id", UUID)),
  STACK_CHANGED("stack_changed", Direction.DOWN,
      required("id", UUID), required("created_at", TIMESTAMP), required("updated_at", TIMESTAMP),
      optional("deleted_at", TIMESTAMP), required("name", TEXT), optional("description", TEXT),
      required("generator_id", UUID)),
  HEARTBEAT("heartbeat", Direction.UP,
      required("agent_id", UUID), required("sent_at", TIMESTAMP), optional("k8s_reachable", BOOL),
      optional("k8s_api_latency_ms", INT32)),
  AGENT_EVENT("agent_event", Direction.UP,
      required("id", UUID), required("created_at", TIMESTAMP), required("updated_at", TIMESTAMP),
      optional("deleted_at", TIMESTAMP), required("agent_id", UUID), required("deployment_object_id", UUID),
      required("event_type", TEXT), required("status", TEXT), optional("message", TEXT)),
  AGENT_HEALTH("agent_health", Direction.UP,
      required("id", UUID), required("agent_id", UUID), required("deployment_object_id", UUID),
      required("status", TEXT), optional("summary", TEXT), required("checked_at", TIMESTAMP),
      required("created_at", TIMESTAMP), required("updated_at", TIMESTAMP)),
  K8S_EVENT("k8s_event", Direction.UP,
      required("agent_id", UUID), required("stack_id", UUID), required("observed_at", TIMESTAMP),
      required("reason", TEXT), required("message", TEXT), required("event_type", TEXT), optional("source", TEXT),
      WsField.object("involved_object", required("api_version", TEXT), required("kind", TEXT),
          optional("namespace", TEXT), required("name", TEXT), optional("uid", TEXT))),
  POD_LOG_LINE("pod_log_line", Direction.UP,
      required("agent_id", UUID), required("stack_id", UUID), required("namespace", TEXT), required("pod", TEXT),
      required("container", TEXT), required("ts", TIMESTAMP), required("line", TEXT)),
  LOG_GAP("log_gap", Direction.UP,
      required("agent_id", UUID), required("stack_id", UUID), required("since_ts", TIMESTAMP),
      required("dropped_count", UINT64), WsField.oneOf("reason", "rate_limit", "buffer_full", "disconnected")),
  FLEET_UPDATE("fleet_update", Direction.SUBSCRIBER,
      required("agent_id", UUID), required("name", TEXT), required("cluster_name", TEXT), required("status", TEXT),
      required("ws_connected", BOOL), optional("connected_since", TIMESTAMP), optional("last_heartbeat", TIMESTAMP),
      optional("heartbeat_age_seconds", INT64), required("pending_object_count", INT64),
      required("pending_work_orders", INT64), required("claimed_work_orders", INT64),
      optional("last_event_at", TIMESTAMP), optional("seconds_since_last_event", INT64),
      required("health_failing", INT64), required("health_degraded", INT64), optional("k8s_reachable", BOOL),
      optional("k8s_api_latency_ms", INT64));

  /** Who sends a variant. */
  public enum Direction { DOWN, UP, SUBSCRIBER }

  private final String wire;
  private final Direction direction;
  private final List<WsField> fields;

  WsVariant(String wire, Direction direction, WsField... fields) {
    this.wire = wire;
    this.direction = direction;
    this.fields = List.of(fields);
  }

  /** The snake_case {@code type} of the frame. */
  public String wire() {
    return wire;
  }

  public Direction direction() {
    return direction;
  }

  public List<WsField> fields() {
    return fields;
  }

  public static Optional<WsVariant> ofWire(String type) {
    for (WsVariant v : values()) {
      if (v.wire.equals(type)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
