package org.brokkr.broker.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.brokkr.codecs.Addresses;

/** Which verticle address owns each operationId of {@code openapi.yaml}. */
public final class Operations {
  public static final Map<String, String> OWNER = build();

  private Operations() {}

  private static Map<String, String> build() {
    Map<String, String> m = new LinkedHashMap<>();
    own(m, Addresses.AUTH, List.of("verify_pak", "list_paks"));
    own(m, Addresses.GENERATORS, List.of("list_generators", "create_generator", "get_generator",
        "update_generator", "delete_generator", "rotate_generator_pak", "register_agent",
        "deregister_agent", "list_generator_registered_agents"));
    own(m, Addresses.AGENTS, List.of("list_agents", "create_agent", "search_agent", "get_agent",
        "update_agent", "delete_agent", "agents_list_labels", "agents_add_label", "agents_remove_label",
        "agents_list_annotations", "agents_add_annotation", "agents_remove_annotation",
        "record_heartbeat", "rotate_agent_pak", "list_agent_registrations"));
    own(m, Addresses.STACKS, List.of("list_stacks", "create_stack", "get_stack", "update_stack",
        "delete_stack", "stacks_list_labels", "stacks_add_label", "stacks_remove_label",
        "stacks_list_annotations", "stacks_add_annotation", "stacks_remove_annotation",
        "list_targets", "add_target", "remove_target", "get_associated_stacks"));
    own(m, Addresses.DEPLOYMENT_OBJECTS, List.of("list_deployment_objects", "create_deployment_object",
        "get_deployment_object", "get_target_state"));
    own(m, Addresses.AGENT_EVENTS, List.of("create_event", "list_events", "list_agent_events", "get_agent_event"));
    own(m, Addresses.AUDIT, List.of("list_audit_logs"));
    return Map.copyOf(m);
  }

  private static void own(Map<String, String> m, String address, List<String> ops) {
    ops.forEach(op -> m.put(op, address));
  }
}
