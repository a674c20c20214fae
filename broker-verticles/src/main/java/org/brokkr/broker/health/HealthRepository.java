package org.brokkr.broker.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.support.Rows;

/** SQL for the per-agent health of deployment objects ({@code deployment_health}). */
public final class HealthRepository {
  static final String COLUMNS = "id, agent_id, deployment_object_id, status, summary, checked_at, created_at, updated_at";
  /** One statement for the whole batch: one row per (agent, object), replaced by each report. */
  private static final String UPSERT = """
      INSERT INTO deployment_health (agent_id, deployment_object_id, status, summary, checked_at)
      SELECT $1, r.object_id, r.status, r.summary, r.checked_at
        FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[]) AS r(object_id, status, summary, checked_at)
      ON CONFLICT (agent_id, deployment_object_id)
      DO UPDATE SET status = EXCLUDED.status, summary = EXCLUDED.summary, checked_at = EXCLUDED.checked_at""";
  private static final String OF_OBJECT = "SELECT " + COLUMNS
      + " FROM deployment_health WHERE deployment_object_id = $1 ORDER BY checked_at DESC, id";
  /** Per live object of the stack that has health rows: how many agents report each status. */
  private static final String STACK_COUNTS = """
      SELECT h.deployment_object_id AS id,
             count(*) FILTER (WHERE h.status = 'healthy') AS healthy_agents,
             count(*) FILTER (WHERE h.status = 'degraded') AS degraded_agents,
             count(*) FILTER (WHERE h.status = 'failing') AS failing_agents
        FROM deployment_health h
        JOIN deployment_objects d ON d.id = h.deployment_object_id
       WHERE d.stack_id = $1 AND d.deleted_at IS NULL
       GROUP BY h.deployment_object_id, d.sequence_id
       ORDER BY d.sequence_id DESC""";

  public Future<Void> upsert(SqlClient db, UUID agentId, HealthReport report) {
    List<HealthReport.Entry> entries = report.entries();
    UUID[] ids = new UUID[entries.size()];
    String[] statuses = new String[entries.size()];
    String[] summaries = new String[entries.size()];
    OffsetDateTime[] checked = new OffsetDateTime[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      HealthReport.Entry e = entries.get(i);
      ids[i] = e.objectId();
      statuses[i] = e.status();
      summaries[i] = e.summary();
      checked[i] = e.checkedAt();
    }
    return db.preparedQuery(UPSERT).execute(Tuple.tuple().addUUID(agentId).addArrayOfUUID(ids)
        .addArrayOfString(statuses).addArrayOfString(summaries).addArrayOfOffsetDateTime(checked)).mapEmpty();
  }

  /** The object's health records, newest check first. */
  public Future<JsonArray> ofObject(SqlClient db, UUID objectId) {
    return db.preparedQuery(OF_OBJECT).execute(Tuple.of(objectId)).map(Rows::jsonArray);
  }

  /** {@code DeploymentObjectHealthSummary} entries of the stack, newest object first. */
  public Future<JsonArray> stackSummaries(SqlClient db, UUID stackId) {
    return db.preparedQuery(STACK_COUNTS).execute(Tuple.of(stackId)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row row : rows) {
        long healthy = row.getLong("healthy_agents");
        long degraded = row.getLong("degraded_agents");
        long failing = row.getLong("failing_agents");
        out.add(new JsonObject()
            .put("id", row.getUUID("id").toString())
            .put("status", HealthStatus.worst(failing > 0, degraded > 0, healthy > 0))
            .put("healthy_agents", healthy)
            .put("degraded_agents", degraded)
            .put("failing_agents", failing));
      }
      return out;
    });
  }
}
