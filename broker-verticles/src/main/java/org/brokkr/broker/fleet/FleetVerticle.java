package org.brokkr.broker.fleet;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.brokkr.broker.support.Access;
import org.brokkr.broker.support.Fields;
import org.brokkr.broker.support.ResourceVerticle;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.ApiError;
import org.brokkr.codecs.ApiRequest;
import org.brokkr.codecs.ApiResponse;

/**
 * The admin's fleet view: measured signals per agent (see {@link FleetRepository}), including
 * whether the agent holds a live-channel socket on any replica.
 */
public final class FleetVerticle extends ResourceVerticle {
  private final Pool pool;
  private final FleetSnapshots snapshots;
  private final FleetRepository repo = new FleetRepository();

  /** {@code snapshots} is shared by every instance of one broker. */
  public FleetVerticle(Pool pool, FleetSnapshots snapshots) {
    this.pool = pool;
    this.snapshots = snapshots;
  }

  @Override
  public String address() {
    return Addresses.FLEET;
  }

  @Override
  protected void defineOperations() {
    on("list_fleet", this::list);
    on("get_agent_fleet_status", this::status);
  }

  /** {@code pak_id} narrows the view to one generator's registered agents; it grants nothing. */
  private Future<ApiResponse> list(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID generator = req.queryParam("pak_id").map(v -> Fields.uuid(v, "pak_id", "invalid_query_parameter")).orElse(null);
    if (generator != null) {
      return repo.records(pool, generator).map(ApiResponse::ok);
    }
    // the whole fleet: encoded once per snapshot, answered as is
    return snapshots.get(() -> repo.records(pool, null).map(JsonArray::toBuffer))
        .map(body -> ApiResponse.raw(200, body, ApiResponse.JSON));
  }

  private Future<ApiResponse> status(ApiRequest req) {
    Access.requireAdmin(req.caller());
    UUID agentId = req.pathId("id");
    return repo.record(pool, agentId).compose(records -> {
      if (records.isEmpty()) {
        throw ApiError.notFound("agent_not_found", "agent not found");
      }
      return repo.recentEvents(pool, agentId).map(events -> ApiResponse.ok(new JsonObject()
          .put("record", records.getJsonObject(0)).put("recent_events", events)));
    });
  }
}
