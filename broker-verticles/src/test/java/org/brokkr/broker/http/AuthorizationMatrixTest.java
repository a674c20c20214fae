package org.brokkr.broker.http;

import static org.brokkr.broker.http.MatrixWorld.Caller.ADMIN;
import static org.brokkr.broker.http.MatrixWorld.Caller.NONE;
import static org.brokkr.broker.http.MatrixWorld.Caller.OTHER_AGENT;
import static org.brokkr.broker.http.MatrixWorld.Caller.OTHER_GEN;
import static org.brokkr.broker.http.MatrixWorld.Caller.OWNER_GEN;
import static org.brokkr.broker.http.MatrixWorld.Caller.SELF_AGENT;
import static org.brokkr.broker.http.MatrixWorld.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.brokkr.broker.http.MatrixWorld.Caller;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Who may call what: every operation of openapi.yaml against every kind of caller. The allowed
 * callers follow the reference's code-enforced "who may call" column, plus our deliberate
 * differences (agents associated with a stack may read its deployment objects). An allowed call
 * must succeed (2xx); any other caller must be refused with 403 or 404 and an ErrorResponse, a
 * caller without a PAK with 401; nothing may answer 5xx.
 */
class AuthorizationMatrixTest {
  private static final Function<MatrixWorld, Map<String, String>> GENERATOR = w -> Map.of("id", w.generatorId());
  private static final Function<MatrixWorld, Map<String, String>> AGENT = w -> Map.of("id", w.selfAgentId());
  private static final Function<MatrixWorld, Map<String, String>> STACK = w -> Map.of("id", w.stackId());
  private static final Function<MatrixWorld, Map<String, String>> TEMPLATE = w -> Map.of("id", w.templateId);
  private static final Function<MatrixWorld, Map<String, String>> WEBHOOK = w -> Map.of("id", w.webhookId());

  private static final List<Op> TABLE = List.of(
      // auth
      op("verify_pak", "POST", "/auth/pak").allow(ADMIN, OWNER_GEN, OTHER_GEN, SELF_AGENT, OTHER_AGENT),
      op("list_paks", "GET", "/paks").allow(ADMIN),
      // generators
      op("list_generators", "GET", "/generators").allow(ADMIN),
      op("create_generator", "POST", "/generators").body(w -> new JsonObject().put("name", unique("gen"))).allow(ADMIN),
      op("get_generator", "GET", "/generators/{id}").with(GENERATOR).allow(ADMIN, OWNER_GEN),
      op("update_generator", "PUT", "/generators/{id}").with(GENERATOR)
          .body(w -> w.ownerGenerator.copy().put("description", "updated")).allow(ADMIN, OWNER_GEN),
      op("delete_generator", "DELETE", "/generators/{id}").with(GENERATOR).allow(ADMIN, OWNER_GEN),
      op("rotate_generator_pak", "POST", "/generators/{id}/rotate-pak").with(GENERATOR).allow(ADMIN, OWNER_GEN),
      // an agent always (de)registers itself, whatever the body says; admin names the agent
      op("register_agent", "POST", "/generators/{id}/register").with(w -> Map.of("id", w.otherGeneratorId))
          .body(w -> new JsonObject().put("agent_id", w.selfAgentId())).allow(ADMIN, SELF_AGENT, OTHER_AGENT),
      op("deregister_agent", "DELETE", "/generators/{id}/register").with(GENERATOR)
          .body(w -> new JsonObject().put("agent_id", w.selfAgentId())).allow(ADMIN, SELF_AGENT, OTHER_AGENT),
      op("list_generator_registered_agents", "GET", "/generators/{id}/registered-agents").with(GENERATOR)
          .allow(ADMIN, OWNER_GEN),
      // agents (a generator lists the agents registered with it)
      op("list_agents", "GET", "/agents").allow(ADMIN, OWNER_GEN, OTHER_GEN),
      op("create_agent", "POST", "/agents").body(MatrixWorld::newAgent).allow(ADMIN),
      op("search_agent", "GET", "/agents/?name={name}&cluster_name={cluster}")
          .with(w -> Map.of("name", w.selfAgent.getString("name"), "cluster", w.selfAgent.getString("cluster_name")))
          .allow(ADMIN, SELF_AGENT),
      op("get_agent", "GET", "/agents/{id}").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("update_agent", "PUT", "/agents/{id}").with(AGENT).body(w -> new JsonObject().put("status", "ACTIVE"))
          .allow(ADMIN, SELF_AGENT),
      op("delete_agent", "DELETE", "/agents/{id}").with(AGENT).allow(ADMIN),
      op("agents_list_labels", "GET", "/agents/{id}/labels").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("agents_add_label", "POST", "/agents/{id}/labels").with(AGENT)
          .body(w -> new JsonObject().put("agent_id", w.selfAgentId()).put("label", unique("l"))).allow(ADMIN),
      op("agents_remove_label", "DELETE", "/agents/{id}/labels/{label}")
          .with(w -> Map.of("id", w.selfAgentId(), "label", MatrixWorld.AGENT_LABEL)).allow(ADMIN),
      op("agents_list_annotations", "GET", "/agents/{id}/annotations").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("agents_add_annotation", "POST", "/agents/{id}/annotations").with(AGENT)
          .body(w -> new JsonObject().put("agent_id", w.selfAgentId()).put("key", unique("k")).put("value", "v"))
          .allow(ADMIN),
      op("agents_remove_annotation", "DELETE", "/agents/{id}/annotations/{key}")
          .with(w -> Map.of("id", w.selfAgentId(), "key", MatrixWorld.AGENT_ANNOTATION)).allow(ADMIN),
      op("list_targets", "GET", "/agents/{id}/targets").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("add_target", "POST", "/agents/{id}/targets").with(AGENT)
          .body(w -> new JsonObject().put("agent_id", w.selfAgentId()).put("stack_id", w.untargetedStackId))
          .allow(ADMIN, OWNER_GEN),
      op("remove_target", "DELETE", "/agents/{id}/targets/{stack_id}")
          .with(w -> Map.of("id", w.selfAgentId(), "stack_id", w.stackId())).allow(ADMIN, OWNER_GEN),
      op("record_heartbeat", "POST", "/agents/{id}/heartbeat").with(AGENT).allow(SELF_AGENT),
      op("rotate_agent_pak", "POST", "/agents/{id}/rotate-pak").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("get_associated_stacks", "GET", "/agents/{id}/stacks").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("list_agent_registrations", "GET", "/agents/{id}/registrations").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("get_target_state", "GET", "/agents/{id}/target-state").with(AGENT).allow(ADMIN, SELF_AGENT),
      // agent events
      op("list_events", "GET", "/agents/{id}/events").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("create_event", "POST", "/agents/{id}/events").with(AGENT).body(MatrixWorld::newEvent).allow(ADMIN, SELF_AGENT),
      op("list_agent_events", "GET", "/agent-events").allow(ADMIN),
      op("get_agent_event", "GET", "/agent-events/{id}").with(w -> Map.of("id", w.agentEventId)).allow(ADMIN),
      // stacks (a generator lists its own stacks; the self agent has an explicit target on the stack)
      op("list_stacks", "GET", "/stacks").allow(ADMIN, OWNER_GEN, OTHER_GEN),
      op("create_stack", "POST", "/stacks")
          .body(w -> new JsonObject().put("name", unique("stack")).put("generator_id", w.generatorId()))
          .allow(ADMIN, OWNER_GEN),
      op("get_stack", "GET", "/stacks/{id}").with(STACK).allow(ADMIN, OWNER_GEN),
      op("update_stack", "PUT", "/stacks/{id}").with(STACK).body(w -> w.stack.copy().put("description", "updated"))
          .allow(ADMIN, OWNER_GEN),
      op("delete_stack", "DELETE", "/stacks/{id}").with(STACK).allow(ADMIN, OWNER_GEN),
      op("stacks_list_labels", "GET", "/stacks/{id}/labels").with(STACK).allow(ADMIN, OWNER_GEN, SELF_AGENT),
      op("stacks_add_label", "POST", "/stacks/{id}/labels").with(STACK).body(w -> "\"" + unique("l") + "\"")
          .allow(ADMIN, OWNER_GEN),
      op("stacks_remove_label", "DELETE", "/stacks/{id}/labels/{label}")
          .with(w -> Map.of("id", w.stackId(), "label", MatrixWorld.STACK_LABEL)).allow(ADMIN, OWNER_GEN),
      op("stacks_list_annotations", "GET", "/stacks/{id}/annotations").with(STACK).allow(ADMIN, OWNER_GEN, SELF_AGENT),
      op("stacks_add_annotation", "POST", "/stacks/{id}/annotations").with(STACK)
          .body(w -> new JsonObject().put("stack_id", w.stackId()).put("key", unique("k")).put("value", "v"))
          .allow(ADMIN, OWNER_GEN),
      op("stacks_remove_annotation", "DELETE", "/stacks/{id}/annotations/{key}")
          .with(w -> Map.of("id", w.stackId(), "key", MatrixWorld.STACK_ANNOTATION)).allow(ADMIN, OWNER_GEN),
      op("list_deployment_objects", "GET", "/stacks/{id}/deployment-objects").with(STACK).allow(ADMIN, OWNER_GEN),
      op("create_deployment_object", "POST", "/stacks/{id}/deployment-objects").with(STACK)
          .body(w -> new JsonObject().put("yaml_content", Fixtures.configMap("m"))).allow(ADMIN, OWNER_GEN),
      // deployment objects: associated agents may read them (label matches too: a deliberate difference)
      op("get_deployment_object", "GET", "/deployment-objects/{id}").with(w -> Map.of("id", w.deploymentObjectId))
          .allow(ADMIN, OWNER_GEN, SELF_AGENT),
      // admin
      op("list_audit_logs", "GET", "/admin/audit-logs").allow(ADMIN),
      op("reload_config", "POST", "/admin/config/reload").allow(ADMIN),
      op("list_ws_connections", "GET", "/admin/ws/connections").allow(ADMIN),
      // work orders: management and log for admins; the queue for the agent itself (claim: for itself only)
      op("list_pending_for_agent", "GET", "/agents/{agent_id}/work-orders/pending")
          .with(w -> Map.of("agent_id", w.selfAgentId())).allow(ADMIN, SELF_AGENT),
      op("list_work_orders", "GET", "/work-orders").allow(ADMIN),
      op("create_work_order", "POST", "/work-orders").body(MatrixWorld::newWorkOrder).allow(ADMIN),
      op("get_work_order", "GET", "/work-orders/{id}").with(w -> Map.of("id", w.pendingWorkOrderId)).allow(ADMIN),
      op("delete_work_order", "DELETE", "/work-orders/{id}").with(w -> Map.of("id", w.pendingWorkOrderId)).allow(ADMIN),
      op("claim_work_order", "POST", "/work-orders/{id}/claim").with(w -> Map.of("id", w.pendingWorkOrderId))
          .body(w -> new JsonObject().put("agent_id", w.selfAgentId())).allow(ADMIN, SELF_AGENT),
      op("complete_work_order", "POST", "/work-orders/{id}/complete").with(w -> Map.of("id", w.claimedWorkOrderId))
          .body(w -> new JsonObject().put("success", true)).allow(ADMIN, SELF_AGENT),
      op("list_work_order_log", "GET", "/work-order-log").allow(ADMIN),
      op("get_work_order_log", "GET", "/work-order-log/{id}").with(w -> Map.of("id", w.loggedWorkOrderId)).allow(ADMIN),
      // templates (the world's template is the owner's; any generator lists and creates its own)
      op("list_templates", "GET", "/templates").allow(ADMIN, OWNER_GEN, OTHER_GEN),
      op("create_template", "POST", "/templates").body(w -> MatrixWorld.newTemplate()).allow(ADMIN, OWNER_GEN, OTHER_GEN),
      op("get_template", "GET", "/templates/{id}").with(TEMPLATE).allow(ADMIN, OWNER_GEN),
      op("update_template", "PUT", "/templates/{id}").with(TEMPLATE)
          .body(w -> MatrixWorld.newTemplate().put("description", "v2")).allow(ADMIN, OWNER_GEN),
      op("delete_template", "DELETE", "/templates/{id}").with(TEMPLATE).allow(ADMIN, OWNER_GEN),
      op("templates_list_labels", "GET", "/templates/{id}/labels").with(TEMPLATE).allow(ADMIN, OWNER_GEN),
      op("templates_add_label", "POST", "/templates/{id}/labels").with(TEMPLATE).body(w -> "\"" + unique("l") + "\"")
          .allow(ADMIN, OWNER_GEN),
      op("templates_remove_label", "DELETE", "/templates/{id}/labels/{label}")
          .with(w -> Map.of("id", w.templateId, "label", MatrixWorld.STACK_LABEL)).allow(ADMIN, OWNER_GEN),
      op("templates_list_annotations", "GET", "/templates/{id}/annotations").with(TEMPLATE).allow(ADMIN, OWNER_GEN),
      op("templates_add_annotation", "POST", "/templates/{id}/annotations").with(TEMPLATE)
          .body(w -> new JsonObject().put("key", unique("k")).put("value", "v")).allow(ADMIN, OWNER_GEN),
      op("templates_remove_annotation", "DELETE", "/templates/{id}/annotations/{key}")
          .with(w -> Map.of("id", w.templateId, "key", MatrixWorld.STACK_ANNOTATION)).allow(ADMIN, OWNER_GEN),
      op("instantiate_template", "POST", "/stacks/{stack_id}/deployment-objects/from-template")
          .with(w -> Map.of("stack_id", w.stackId()))
          .body(w -> new JsonObject().put("template_id", w.templateId).put("parameters", new JsonObject().put("name", "m")))
          .allow(ADMIN, OWNER_GEN),
      // diagnostics (assigned to the self agent), health, fleet
      op("create_diagnostic_request", "POST", "/deployment-objects/{id}/diagnostics")
          .with(w -> Map.of("id", w.deploymentObjectId)).body(w -> new JsonObject().put("agent_id", w.selfAgentId())).allow(ADMIN),
      op("get_pending_diagnostics", "GET", "/agents/{id}/diagnostics/pending").with(AGENT).allow(ADMIN, SELF_AGENT),
      op("get_diagnostic", "GET", "/diagnostics/{id}").with(w -> Map.of("id", w.diagnosticId)).allow(ADMIN, SELF_AGENT),
      op("claim_diagnostic", "POST", "/diagnostics/{id}/claim").with(w -> Map.of("id", w.diagnosticId)).allow(ADMIN, SELF_AGENT),
      op("submit_diagnostic_result", "POST", "/diagnostics/{id}/result").with(w -> Map.of("id", w.claimedDiagnosticId))
          .body(w -> MatrixWorld.newDiagnosticResult()).allow(SELF_AGENT),
      op("update_health_status", "PATCH", "/agents/{id}/health-status").with(AGENT).body(MatrixWorld::newHealthReport)
          .allow(ADMIN, SELF_AGENT),
      op("get_deployment_health", "GET", "/deployment-objects/{id}/health").with(w -> Map.of("id", w.deploymentObjectId))
          .allow(ADMIN),
      op("get_stack_health", "GET", "/stacks/{id}/health").with(STACK).allow(ADMIN),
      // telemetry history: admin or the stack's generator
      op("list_telemetry_events", "GET", "/stacks/{id}/events").with(STACK).allow(ADMIN, OWNER_GEN),
      op("list_telemetry_logs", "GET", "/stacks/{id}/logs").with(STACK).allow(ADMIN, OWNER_GEN),
      op("list_fleet", "GET", "/fleet").allow(ADMIN),
      op("get_agent_fleet_status", "GET", "/agents/{id}/fleet-status").with(AGENT).allow(ADMIN),
      // webhooks: admin manages subscriptions; an agent claims deliveries for itself and reports only those it holds
      op("list_webhooks", "GET", "/webhooks").allow(ADMIN),
      op("create_webhook", "POST", "/webhooks").body(MatrixWorld::newWebhook).allow(ADMIN),
      op("list_event_types", "GET", "/webhooks/event-types").allow(ADMIN),
      op("get_webhook", "GET", "/webhooks/{id}").with(WEBHOOK).allow(ADMIN),
      op("update_webhook", "PUT", "/webhooks/{id}").with(WEBHOOK).body(w -> new JsonObject().put("enabled", false))
          .allow(ADMIN),
      op("delete_webhook", "DELETE", "/webhooks/{id}").with(WEBHOOK).allow(ADMIN),
      op("list_deliveries", "GET", "/webhooks/{id}/deliveries").with(WEBHOOK).allow(ADMIN),
      op("test_webhook", "POST", "/webhooks/{id}/test").with(WEBHOOK).allow(ADMIN),
      op("get_pending_agent_webhooks", "GET", "/agents/{agent_id}/webhooks/pending")
          .with(w -> Map.of("agent_id", w.selfAgentId())).allow(ADMIN, SELF_AGENT),
      op("report_delivery_result", "POST", "/webhook-deliveries/{id}/result")
          .with(w -> Map.of("id", w.deliveryHeldBySelf())).body(w -> new JsonObject().put("success", true))
          .allow(SELF_AGENT));

  static TestBroker broker;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    MatrixWorld.startWebhookReceiver(broker);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  @Test
  void tableCoversExactlyTheOperationsOfTheContract() {
    JsonObject paths = ApiContract.load().json().getJsonObject("paths");
    Map<String, String> contract = new TreeMap<>();
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (item.getValue(method) instanceof JsonObject operation && operation.containsKey("operationId")) {
          contract.put(operation.getString("operationId"), method.toUpperCase() + " " + path);
        }
      }
    }
    Map<String, String> table = new TreeMap<>();
    for (Op op : TABLE) {
      assertFalse(table.containsKey(op.id()), op.id() + " appears twice");
      assertFalse(op.allowed().contains(NONE), op.id() + ": no operation is open without a PAK");
      table.put(op.id(), op.method() + " " + op.path().split("\\?", 2)[0]);
    }
    assertEquals(95, contract.size());
    assertEquals(contract, table, "one row per contract operation, with its method and path");
  }

  @TestFactory
  Stream<DynamicTest> everyOperationAgainstEveryCaller() {
    return TABLE.stream().map(op -> DynamicTest.dynamicTest(op.id(), () -> {
      MatrixWorld shared = MatrixWorld.create(broker);
      List<String> wrong = new ArrayList<>();
      for (Caller caller : Caller.values()) {
        boolean allowed = op.allowed().contains(caller);
        // a change that succeeds gets a world of its own, so it cannot decide the next caller's outcome
        MatrixWorld world = allowed && op.changesState() ? MatrixWorld.create(broker) : shared;
        HttpResponse<Buffer> r = call(op, world, caller);
        String problem = verdict(allowed, caller, r);
        if (problem != null) {
          wrong.add(caller + " expected " + (allowed ? "ALLOW" : "DENY") + ": " + problem
              + " (" + r.statusCode() + " " + r.bodyAsString() + ")");
        }
      }
      assertTrue(wrong.isEmpty(), op.id() + "\n" + String.join("\n", wrong));
    }));
  }

  private static String verdict(boolean allowed, Caller caller, HttpResponse<Buffer> r) {
    int status = r.statusCode();
    if (status >= 500) {
      return "server error";
    }
    if (caller == NONE) {
      return status == 401 && "unauthorized".equals(code(r)) ? null : "not a 401 ErrorResponse";
    }
    if (allowed) {
      return status >= 200 && status < 300 ? null : "not 2xx";
    }
    if (status != 403 && status != 404) {
      return "not 403/404";
    }
    return code(r) == null ? "no ErrorResponse body" : null;
  }

  private static String code(HttpResponse<Buffer> r) {
    try {
      return r.bodyAsJsonObject().getString("code");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static HttpResponse<Buffer> call(Op op, MatrixWorld world, Caller caller) {
    String url = op.path();
    for (Map.Entry<String, String> p : op.params().apply(world).entrySet()) {
      url = url.replace("{" + p.getKey() + "}", p.getValue());
    }
    Object body = op.body().apply(world);
    Buffer buffer = body == null ? null : Buffer.buffer(body instanceof String raw ? raw : Json.encode(body));
    TestBroker.Api api = caller == NONE ? broker.anonymous() : broker.as(world.pak(caller));
    return api.send(op.method(), url, buffer, buffer == null ? null : "application/json");
  }

  private static Op op(String id, String method, String path) {
    return new Op(id, method, path, w -> Map.of(), w -> null, Set.of());
  }

  /** One row: how to call the operation in a world, and which callers may. */
  private record Op(String id, String method, String path, Function<MatrixWorld, Map<String, String>> params,
      Function<MatrixWorld, Object> body, Set<Caller> allowed) {
    Op with(Function<MatrixWorld, Map<String, String>> pathParams) {
      return new Op(id, method, path, pathParams, body, allowed);
    }

    Op body(Function<MatrixWorld, Object> requestBody) {
      return new Op(id, method, path, params, requestBody, allowed);
    }

    Op allow(Caller... callers) {
      return new Op(id, method, path, params, body, Set.of(callers));
    }

    boolean changesState() {
      return !method.equals("GET");
    }
  }
}
