package org.brokkr.broker.cli;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.brokkr.broker.agents.AgentRepository;
import org.brokkr.broker.generators.GeneratorRepository;
import org.brokkr.broker.support.AuditEntry;
import org.brokkr.broker.support.Invalidation;
import org.brokkr.broker.support.Journal;
import org.brokkr.codecs.EventTypes;
import org.brokkr.codecs.Pak;

/**
 * {@code create} and {@code rotate} for agents and generators, one transaction each. Audited as
 * the reference's CLI audits them (actor admin, details {@code {name, via: "cli"}}); a rotation
 * also revokes the old PAK on every running broker when it commits.
 */
final class IdentityCommands {
  private final Pool pool;
  private final Pak.Format format;
  private final AgentRepository agents = new AgentRepository();
  private final GeneratorRepository generators = new GeneratorRepository();

  IdentityCommands(Pool pool, Pak.Format format) {
    this.pool = pool;
    this.format = format;
  }

  Future<Report> createAgent(BrokerCommand.CreateAgent c) {
    Pak.Minted pak = Pak.mint(format);
    return pool.withTransaction(conn -> requireGenerators(conn, c.generatorIds())
        .compose(v -> generators.systemGeneratorId(conn))
        .compose(systemId -> agents.insert(conn, c.name(), c.clusterName(), pak.hash(), c.generatorIds())
            .compose(agent -> {
              UUID id = UUID.fromString(agent.getString("id"));
              return Journal.audit(conn, audit("pak.created", "pak", id, c.name()))
                  .compose(v -> Journal.event(conn, EventTypes.AGENT_REGISTERED, new JsonObject()
                      .put("agent_id", id.toString()).put("name", c.name()).put("cluster_name", c.clusterName())
                      .put("status", agent.getString("status")).put("created_at", agent.getString("created_at")), id, null))
                  .map(v -> agentCreated(agent, pak.pak(), systemId, c.generatorIds()));
            })))
        .recover(e -> Future.failedFuture(unique(e)
            ? new CliFailure("an agent named '" + c.name() + "' in cluster '" + c.clusterName() + "' already exists")
            : e));
  }

  private static Report agentCreated(JsonObject agent, String pak, UUID systemId, List<UUID> generatorIds) {
    List<String> registered = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (systemId != null) {
      registered.add("system (fleet scope)");
    } else {
      warnings.add("warning: there is no system generator yet, so the agent has no fleet-scope registration;"
          + " the broker provisions it at its first start and registers every agent with it then");
    }
    generatorIds.stream().filter(id -> !id.equals(systemId)).forEach(id -> registered.add(id.toString()));
    return new Report(List.of(
        "Agent created successfully:",
        "ID: " + agent.getString("id"),
        "Name: " + agent.getString("name"),
        "Cluster: " + agent.getString("cluster_name"),
        "Initial PAK: " + pak,
        "Registered with: " + String.join(", ", registered)), warnings);
  }

  /** Every listed generator must be live before anything is written, as the API checks. */
  private Future<Void> requireGenerators(SqlConnection conn, List<UUID> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (UUID id : ids) {
      chain = chain.compose(v -> generators.find(conn, id, false).map(row -> {
        if (row == null) {
          throw new CliFailure("generator " + id + " does not exist");
        }
        return null;
      }));
    }
    return chain;
  }

  Future<Report> createGenerator(BrokerCommand.CreateGenerator c) {
    Pak.Minted pak = Pak.mint(format);
    return pool.withTransaction(conn -> generators.insert(conn, c.name(), c.description().orElse(null), pak.hash())
        .compose(gen -> Journal.audit(conn, audit("pak.created", "pak", UUID.fromString(gen.getString("id")), c.name()))
            .map(v -> Report.of(
                "Generator created successfully:",
                "ID: " + gen.getString("id"),
                "Name: " + gen.getString("name"),
                "Initial PAK: " + pak.pak()))))
        .recover(e -> Future.failedFuture(unique(e)
            ? new CliFailure("a generator named '" + c.name() + "' already exists")
            : e));
  }

  Future<Report> rotateAgent(UUID id) {
    Pak.Minted pak = Pak.mint(format);
    return pool.withTransaction(conn -> agents.find(conn, id).compose(row -> {
      if (row == null) {
        throw new CliFailure("agent " + id + " not found");
      }
      return agents.setPakHash(conn, id, pak.hash())
          .compose(agent -> Invalidation.pakHash(conn, row.pakHash())
              .compose(v -> Journal.audit(conn, audit("pak.rotated", "agent", id, agent.getString("name"))))
              .map(v -> rotated("Agent", agent, pak.pak())));
    }));
  }

  Future<Report> rotateGenerator(UUID id) {
    Pak.Minted pak = Pak.mint(format);
    return pool.withTransaction(conn -> generators.find(conn, id, true).compose(row -> {
      if (row == null) {
        throw new CliFailure("generator " + id + " not found");
      }
      if (row.system()) {
        throw new CliFailure("generator " + id + " is the system generator, which has no PAK");
      }
      return generators.setPakHash(conn, id, pak.hash())
          .compose(gen -> Invalidation.pakHash(conn, row.pakHash())
              .compose(v -> Journal.audit(conn, audit("pak.rotated", "generator", id, gen.getString("name"))))
              .map(v -> rotated("Generator", gen, pak.pak())));
    }));
  }

  private static Report rotated(String kind, JsonObject row, String pak) {
    return Report.of(
        kind + " PAK rotated successfully:",
        "ID: " + row.getString("id"),
        "Name: " + row.getString("name"),
        "New PAK: " + pak);
  }

  /** The operator at the console acts as admin; no identity of its own. */
  static AuditEntry audit(String action, String resourceType, UUID resourceId, String name) {
    return new AuditEntry("admin", null, action, resourceType, resourceId,
        new JsonObject().put("name", name).put("via", "cli"), null, null);
  }

  private static boolean unique(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }
}
