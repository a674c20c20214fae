package org.brokkr.broker.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.TestBroker;

/** Work orders through the API, and a look at the rows behind them. */
final class WorkOrderTesting {
  static final String YAML = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: job\n";

  private final TestBroker broker;

  WorkOrderTesting(TestBroker broker) {
    this.broker = broker;
  }

  static JsonObject agents(String... ids) {
    return new JsonObject().put("agent_ids", new JsonArray(List.of(ids)));
  }

  static JsonObject labels(String... labels) {
    return new JsonObject().put("labels", new JsonArray(List.of(labels)));
  }

  static JsonObject annotation(String key, String value) {
    return new JsonObject().put("annotations", new JsonObject().put(key, value));
  }

  static JsonObject body(String workType, JsonObject targeting) {
    return new JsonObject().put("work_type", workType).put("yaml_content", YAML).put("targeting", targeting);
  }

  /** A queued order (admin), asserting 201. */
  JsonObject create(JsonObject body) {
    var r = broker.admin().post("/work-orders", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  JsonObject create(JsonObject targeting, String workType) {
    return create(body(workType, targeting));
  }

  HttpResponse<Buffer> claim(String pak, String orderId, String agentId) {
    return broker.as(pak).post("/work-orders/" + orderId + "/claim", new JsonObject().put("agent_id", agentId));
  }

  /** Claims for the agent with its own PAK, asserting 200. */
  JsonObject claimed(String pak, String orderId, String agentId) {
    var r = claim(pak, orderId, agentId);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  HttpResponse<Buffer> complete(String pak, String orderId, JsonObject outcome) {
    return broker.as(pak).post("/work-orders/" + orderId + "/complete", outcome);
  }

  static JsonObject success(String message) {
    return new JsonObject().put("success", true).put("message", message);
  }

  static JsonObject failure(String message, boolean retryable) {
    return new JsonObject().put("success", false).put("message", message).put("retryable", retryable);
  }

  JsonArray pending(String pak, String agentId, String query) {
    var r = broker.as(pak).get("/agents/" + agentId + "/work-orders/pending" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonArray();
  }

  static List<String> ids(JsonArray orders) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < orders.size(); i++) {
      out.add(orders.getJsonObject(i).getString("id"));
    }
    return out;
  }

  // ---- the rows ------------------------------------------------------------------------------

  RowSet<Row> sql(String sql, Object... args) {
    try {
      return broker.broker.pool().preparedQuery(sql).execute(Tuple.wrap(new ArrayList<>(Arrays.asList(args))))
          .await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  long count(String sql, Object... args) {
    return ((Number) sql(sql, args).iterator().next().getValue(0)).longValue();
  }

  /** Everything a refused request must leave as it was. */
  long storedRows() {
    return count("""
        SELECT (SELECT count(*) FROM work_orders) + (SELECT count(*) FROM work_order_log)
             + (SELECT count(*) FROM work_order_targets) + (SELECT count(*) FROM work_order_labels)
             + (SELECT count(*) FROM work_order_annotations) + (SELECT count(*) FROM event_outbox)
             + (SELECT count(*) FROM audit_logs WHERE resource_type = 'work_order')""");
  }

  /** The data of the newest outbox event of this type about this order. */
  JsonObject event(String type, String idField, String orderId) {
    var rows = sql("SELECT payload FROM event_outbox WHERE event_type = $1 AND payload->'data'->>$2 = $3 "
        + "ORDER BY created_at DESC LIMIT 1", type, idField, orderId);
    return rows.size() == 0 ? null : ((JsonObject) rows.iterator().next().getValue(0)).getJsonObject("data");
  }

  long audits(String action, String orderId) {
    return count("SELECT count(*) FROM audit_logs WHERE action = $1 AND resource_id = $2::uuid", action, orderId);
  }
}
