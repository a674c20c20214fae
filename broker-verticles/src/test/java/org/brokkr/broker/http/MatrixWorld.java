package org.brokkr.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;

/**
 * The resources one row of the authorization matrix acts on: an owning generator with a stack
 * (labelled, annotated, with one deployment object), a second stack without targets, another
 * generator, an agent ("self") registered with the owner and explicitly targeted at the stack,
 * and another agent registered with the owner but associated with nothing.
 */
final class MatrixWorld {
  /** Who calls. */
  enum Caller { ADMIN, OWNER_GEN, OTHER_GEN, SELF_AGENT, OTHER_AGENT, NONE }

  static final String STACK_LABEL = "matrix:stack";
  static final String STACK_ANNOTATION = "stack-key";
  static final String AGENT_LABEL = "matrix:agent";
  static final String AGENT_ANNOTATION = "agent-key";

  final String adminPak;
  final JsonObject ownerGenerator;
  final String ownerGeneratorPak;
  final String otherGeneratorId;
  final String otherGeneratorPak;
  final JsonObject selfAgent;
  final String selfAgentPak;
  final String otherAgentId;
  final String otherAgentPak;
  final JsonObject stack;
  final String untargetedStackId;
  final String deploymentObjectId;
  final String agentEventId;
  /** Work orders targeted at the self agent: one pending, one claimed by it, one finished (in the log). */
  final String pendingWorkOrderId;
  final String claimedWorkOrderId;
  final String loggedWorkOrderId;
  /** The owner's template, labelled and annotated like the stack (so it may be instantiated there). */
  final String templateId;
  /** Diagnostic requests assigned to the self agent: one pending, one it has claimed. */
  final String diagnosticId;
  final String claimedDiagnosticId;
  private final TestBroker broker;
  private String webhookId;
  /** Answers 204 to every webhook post of the matrix (a test post must succeed for admin). */
  private static String webhookReceiverUrl;

  private MatrixWorld(TestBroker broker) {
    this.broker = broker;
    adminPak = broker.adminPak;
    JsonObject owner = created(broker.admin().post("/generators", new JsonObject().put("name", unique("gen"))));
    ownerGenerator = owner.getJsonObject("generator");
    ownerGeneratorPak = owner.getString("pak");
    JsonObject other = created(broker.admin().post("/generators", new JsonObject().put("name", unique("gen"))));
    otherGeneratorId = other.getJsonObject("generator").getString("id");
    otherGeneratorPak = other.getString("pak");

    JsonObject self = created(broker.admin().post("/agents", newAgent()));
    selfAgent = self.getJsonObject("agent");
    selfAgentPak = self.getString("initial_pak");
    JsonObject otherAgent = created(broker.admin().post("/agents", newAgent()));
    otherAgentId = otherAgent.getJsonObject("agent").getString("id");
    otherAgentPak = otherAgent.getString("initial_pak");

    TestBroker.Api gen = broker.as(ownerGeneratorPak);
    stack = created(gen.post("/stacks", new JsonObject().put("name", unique("stack")).put("generator_id", generatorId())));
    untargetedStackId = created(gen.post("/stacks",
        new JsonObject().put("name", unique("stack")).put("generator_id", generatorId()))).getString("id");
    created(gen.postRaw("/stacks/" + stackId() + "/labels", "\"" + STACK_LABEL + "\"", "application/json"));
    created(gen.post("/stacks/" + stackId() + "/annotations",
        new JsonObject().put("stack_id", stackId()).put("key", STACK_ANNOTATION).put("value", "v")));
    deploymentObjectId = created(gen.post("/stacks/" + stackId() + "/deployment-objects",
        new JsonObject().put("yaml_content", Fixtures.configMap("matrix")))).getString("id");
    created(gen.post("/agents/" + selfAgentId() + "/targets",
        new JsonObject().put("agent_id", selfAgentId()).put("stack_id", stackId())));

    TestBroker.Api admin = broker.admin();
    created(admin.post("/agents/" + selfAgentId() + "/labels",
        new JsonObject().put("agent_id", selfAgentId()).put("label", AGENT_LABEL)));
    created(admin.post("/agents/" + selfAgentId() + "/annotations",
        new JsonObject().put("agent_id", selfAgentId()).put("key", AGENT_ANNOTATION).put("value", "v")));
    agentEventId = created(broker.as(selfAgentPak).post("/agents/" + selfAgentId() + "/events", newEvent())).getString("id");
    JsonObject diagnostic = new JsonObject().put("agent_id", selfAgentId());
    diagnosticId = created(admin.post("/deployment-objects/" + deploymentObjectId + "/diagnostics", diagnostic)).getString("id");
    claimedDiagnosticId = created(admin.post("/deployment-objects/" + deploymentObjectId + "/diagnostics", diagnostic)).getString("id");
    assertEquals(200, broker.as(selfAgentPak).post("/diagnostics/" + claimedDiagnosticId + "/claim", null).statusCode());

    pendingWorkOrderId = created(admin.post("/work-orders", newWorkOrder())).getString("id");
    claimedWorkOrderId = created(admin.post("/work-orders", newWorkOrder())).getString("id");
    loggedWorkOrderId = created(admin.post("/work-orders", newWorkOrder())).getString("id");
    for (String id : new String[] {claimedWorkOrderId, loggedWorkOrderId}) {
      ok(broker.as(selfAgentPak).post("/work-orders/" + id + "/claim", new JsonObject().put("agent_id", selfAgentId())));
    }
    ok(broker.as(selfAgentPak).post("/work-orders/" + loggedWorkOrderId + "/complete", new JsonObject().put("success", true)));

    templateId = created(gen.post("/templates", newTemplate())).getString("id");
    created(gen.postRaw("/templates/" + templateId + "/labels", "\"" + STACK_LABEL + "\"", "application/json"));
    created(gen.post("/templates/" + templateId + "/annotations", new JsonObject().put("key", STACK_ANNOTATION).put("value", "v")));
  }

  static JsonObject newTemplate() {
    return new JsonObject().put("name", unique("template"))
        .put("template_content", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n")
        .put("parameters_schema", "{\"type\": \"object\", \"required\": [\"name\"]}");
  }

  static void startWebhookReceiver(TestBroker broker) {
    try {
      int port = broker.vertx.createHttpServer().requestHandler(r -> r.response().setStatusCode(204).end())
          .listen(0, "127.0.0.1").await(10, java.util.concurrent.TimeUnit.SECONDS).actualPort();
      webhookReceiverUrl = "http://127.0.0.1:" + port + "/hook";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A subscription (made on first use) whose patterns match no event, so the matrix's changes post nothing. */
  String webhookId() {
    if (webhookId == null) {
      webhookId = created(broker.admin().post("/webhooks", newWebhook())).getString("id");
    }
    return webhookId;
  }

  JsonObject newWebhook() {
    return new JsonObject().put("name", unique("hook")).put("url", webhookReceiverUrl)
        .put("event_types", new JsonArray().add("matrix.none"));
  }

  /** A delivery the self agent holds (claimed as agents claim, written directly). */
  String deliveryHeldBySelf() {
    return io.vertx.core.Future.await(broker.broker.pool().preparedQuery("""
            INSERT INTO webhook_deliveries (subscription_id, event_type, event_id, payload, target_labels, status,
                                            acquired_by, acquired_until)
            VALUES ($1, 'stack.created', gen_random_uuid(), '{}', ARRAY['matrix:agent'], 'acquired', $2,
                    now() + interval '10 minutes')
            RETURNING id""")
        .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(webhookId()), UUID.fromString(selfAgentId()))))
        .iterator().next().getUUID(0).toString();
  }

  static MatrixWorld create(TestBroker broker) {
    return new MatrixWorld(broker);
  }

  String pak(Caller caller) {
    return switch (caller) {
      case ADMIN -> adminPak;
      case OWNER_GEN -> ownerGeneratorPak;
      case OTHER_GEN -> otherGeneratorPak;
      case SELF_AGENT -> selfAgentPak;
      case OTHER_AGENT -> otherAgentPak;
      case NONE -> null;
    };
  }

  String generatorId() {
    return ownerGenerator.getString("id");
  }

  String selfAgentId() {
    return selfAgent.getString("id");
  }

  String stackId() {
    return stack.getString("id");
  }

  JsonObject newAgent() {
    return new JsonObject().put("name", unique("agent")).put("cluster_name", "matrix")
        .put("generator_ids", new JsonArray().add(generatorId()));
  }

  JsonObject newEvent() {
    return new JsonObject().put("agent_id", selfAgentId()).put("deployment_object_id", deploymentObjectId)
        .put("event_type", "DEPLOY").put("status", "SUCCESS");
  }

  JsonObject newHealthReport() {
    return new JsonObject().put("deployment_objects", new JsonArray().add(new JsonObject()
        .put("id", deploymentObjectId).put("status", "healthy").put("checked_at", "2026-01-01T00:00:00Z")));
  }

  static JsonObject newDiagnosticResult() {
    return new JsonObject().put("pod_statuses", "[]").put("events", "[]").put("collected_at", "2026-01-01T00:00:00Z");
  }

  JsonObject newWorkOrder() {
    return new JsonObject().put("work_type", "custom").put("yaml_content", Fixtures.configMap("matrix"))
        .put("targeting", new JsonObject().put("agent_ids", new JsonArray().add(selfAgentId())));
  }

  private static void ok(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID();
  }

  private static JsonObject created(HttpResponse<Buffer> r) {
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }
}
