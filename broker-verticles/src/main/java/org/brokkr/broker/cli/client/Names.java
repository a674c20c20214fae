package org.brokkr.broker.cli.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Agents and generators given by name or by id, as the reference client accepts them. */
final class Names {
  private static final Pattern UUID_TEXT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private Names() {}

  static Optional<UUID> asId(String given) {
    return UUID_TEXT.matcher(given.trim()).matches() ? Optional.of(UUID.fromString(given.trim())) : Optional.empty();
  }

  /** An id as given, or the one live agent of that name (a name lookup lists agents: admin). */
  static UUID agent(BrokerApi api, String given) {
    Optional<UUID> id = asId(given);
    if (id.isPresent()) {
      return id.get();
    }
    List<JsonObject> named = named(api.listAgents(), given);
    if (named.isEmpty()) {
      throw new ClientFailure("no agent is named '" + given + "'");
    }
    if (named.size() > 1) {
      throw new ClientFailure(named.size() + " agents are named '" + given + "' (clusters "
          + String.join(", ", named.stream().map(a -> a.getString("cluster_name")).toList()) + "); give the id");
    }
    return UUID.fromString(named.get(0).getString("id"));
  }

  /** An id as given, or the live generator of that name (a name lookup lists generators: admin). */
  static UUID generator(BrokerApi api, String given) {
    Optional<UUID> id = asId(given);
    if (id.isPresent()) {
      return id.get();
    }
    List<JsonObject> named = named(api.listGenerators(), given);
    if (named.isEmpty()) {
      throw new ClientFailure("no generator is named '" + given + "'");
    }
    return UUID.fromString(named.get(0).getString("id"));
  }

  /** {@code "edge-1" (<id>)} for a name, the id alone for an id. */
  static String shown(String given, UUID id) {
    return asId(given).isPresent() ? id.toString() : "\"" + given + "\" (" + id + ")";
  }

  private static List<JsonObject> named(JsonArray rows, String name) {
    return rows.stream()
        .filter(JsonObject.class::isInstance)
        .map(JsonObject.class::cast)
        .filter(row -> name.equals(row.getString("name")))
        .toList();
  }
}
