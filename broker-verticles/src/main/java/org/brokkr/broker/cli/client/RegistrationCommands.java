package org.brokkr.broker.cli.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code register}, {@code deregister}, {@code registrations}: an agent's consent to a generator's stacks. */
final class RegistrationCommands {
  private RegistrationCommands() {}

  static List<String> register(BrokerApi api, String agent, String generator) {
    UUID agentId = Names.agent(api, agent);
    UUID generatorId = Names.generator(api, generator);
    JsonObject reg = api.register(generatorId, agentId);
    return List.of("registered agent " + Names.shown(agent, agentId) + " with generator " + Names.shown(generator, generatorId)
        + " (registration " + reg.getString("id") + ")");
  }

  static List<String> deregister(BrokerApi api, String agent, String generator) {
    UUID agentId = Names.agent(api, agent);
    UUID generatorId = Names.generator(api, generator);
    api.deregister(generatorId, agentId);
    return List.of(
        "deregistered agent " + Names.shown(agent, agentId) + " from generator " + Names.shown(generator, generatorId),
        "note: the agent's targets for this generator were removed; it will prune those resources on its next reconcile");
  }

  static List<String> ofAgent(BrokerApi api, String agent) {
    UUID id = Names.agent(api, agent);
    String who = Names.shown(agent, id);
    JsonArray regs = api.agentRegistrations(id);
    if (regs.isEmpty()) {
      return List.of("agent " + who + " has no generator registrations");
    }
    List<String> lines = new ArrayList<>();
    lines.add("agent " + who + " is registered with " + regs.size() + " generator(s):");
    regs.stream().map(JsonObject.class::cast).forEach(r ->
        lines.add("  generator " + r.getString("generator_id") + "  (registered " + r.getString("registered_at") + ")"));
    return lines;
  }

  static List<String> ofGenerator(BrokerApi api, String generator) {
    UUID id = Names.generator(api, generator);
    String who = Names.shown(generator, id);
    JsonArray regs = api.generatorRegistrations(id);
    if (regs.isEmpty()) {
      return List.of("generator " + who + " has no registered agents");
    }
    List<String> lines = new ArrayList<>();
    lines.add("generator " + who + " has " + regs.size() + " registered agent(s):");
    regs.stream().map(JsonObject.class::cast).forEach(r ->
        lines.add("  agent " + r.getString("agent_id") + "  (registered " + r.getString("registered_at") + ")"));
    return lines;
  }
}
