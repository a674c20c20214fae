package org.brokkr.codecs;

import java.util.List;

/** Event type names carried by the outbox and webhooks (the reference's exact list). */
public final class EventTypes {
  public static final String AGENT_REGISTERED = "agent.registered";
  public static final String AGENT_DEREGISTERED = "agent.deregistered";
  public static final String STACK_CREATED = "stack.created";
  public static final String STACK_DELETED = "stack.deleted";
  public static final String DEPLOYMENT_CREATED = "deployment.created";
  public static final String DEPLOYMENT_APPLIED = "deployment.applied";
  public static final String DEPLOYMENT_FAILED = "deployment.failed";
  public static final String DEPLOYMENT_DELETED = "deployment.deleted";
  public static final String WORKORDER_CREATED = "workorder.created";
  public static final String WORKORDER_CLAIMED = "workorder.claimed";
  public static final String WORKORDER_COMPLETED = "workorder.completed";
  public static final String WORKORDER_FAILED = "workorder.failed";

  public static final List<String> ALL = List.of(
      AGENT_REGISTERED, AGENT_DEREGISTERED, STACK_CREATED, STACK_DELETED, DEPLOYMENT_CREATED,
      DEPLOYMENT_APPLIED, DEPLOYMENT_FAILED, DEPLOYMENT_DELETED, WORKORDER_CREATED,
      WORKORDER_CLAIMED, WORKORDER_COMPLETED, WORKORDER_FAILED);

  private EventTypes() {}
}
