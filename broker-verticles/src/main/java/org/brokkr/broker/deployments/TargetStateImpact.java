package org.brokkr.broker.deployments;

import java.util.Optional;
import java.util.Set;
import org.brokkr.codecs.ApiRequest;

/**
 * Which successful operations can change target states, and whose: the broker that served the
 * change drops its own cached target states before answering (read-your-writes), while other
 * replicas learn it from the database notification.
 */
public final class TargetStateImpact {
  /** Operations that only change the target state of the agent named by the path id. */
  private static final Set<String> ONE_AGENT = Set.of("create_event", "agents_add_label", "agents_remove_label",
      "agents_add_annotation", "agents_remove_annotation", "add_target", "remove_target", "update_agent", "delete_agent");
  /** Operations that may change any agent's target state. */
  private static final Set<String> ANY_AGENT = Set.of("register_agent", "deregister_agent", "create_stack", "update_stack",
      "delete_stack", "stacks_add_label", "stacks_remove_label", "stacks_add_annotation", "stacks_remove_annotation",
      "create_deployment_object", "update_generator", "delete_generator");

  private TargetStateImpact() {}

  /** The agent id whose cached target states a successful {@code request} invalidates, {@code *}, or empty. */
  public static Optional<String> of(ApiRequest request) {
    if (ONE_AGENT.contains(request.operation())) {
      return Optional.of(request.pathParam("id"));
    }
    return ANY_AGENT.contains(request.operation()) ? Optional.of("*") : Optional.empty();
  }
}
