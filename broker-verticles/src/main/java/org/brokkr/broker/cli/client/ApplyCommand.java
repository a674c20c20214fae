package org.brokkr.broker.cli.client;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * {@code brokkr apply}: a folder of manifests becomes the desired state of the named stack. The
 * stack is created when missing and given the targeting labels; a new deployment object is
 * submitted only when the bundle's checksum differs from the stack's latest one. The manifests
 * are read and checked before the first request.
 */
final class ApplyCommand {
  /** What happened, and the new revision's sequence id when there is one. */
  record Outcome(String status, long sequenceId) {}

  private ApplyCommand() {}

  static String run(BrokerApi api, Path path, String stackName, List<String> labels, Optional<String> generator,
      Consumer<String> progress) {
    ManifestBundle bundle = ManifestBundle.read(path, progress);
    Outcome outcome = apply(api, bundle, stackName, labels, generator);
    return switch (outcome.status()) {
      case "created" -> "created stack \"" + stackName + "\": first revision (sequence " + outcome.sequenceId() + ")";
      case "updated" -> "updated stack \"" + stackName + "\": new revision (sequence " + outcome.sequenceId() + ")";
      default -> "unchanged: stack \"" + stackName + "\" already current";
    };
  }

  static Outcome apply(BrokerApi api, ManifestBundle bundle, String stackName, List<String> labels, Optional<String> generator) {
    JsonObject me = api.verifyPak();
    UUID owner;
    UUID view;
    if (me.getValue("generator") instanceof String own) {
      owner = UUID.fromString(own);
      view = null;
      generator.ifPresent(given -> requireOwn(api, owner, given));
    } else if (Boolean.TRUE.equals(me.getBoolean("admin")) && !Boolean.TRUE.equals(me.getBoolean("readonly"))) {
      owner = Names.generator(api, generator.orElseThrow(() -> new ClientFailure(
          "with an admin PAK, name the generator that owns the stack: --generator NAME_OR_ID")));
      view = owner;
    } else {
      throw new ClientFailure("apply needs a generator PAK, or an admin PAK with --generator");
    }

    JsonObject stack = api.listStacks(view).stream()
        .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
        .filter(s -> stackName.equals(s.getString("name")))
        .findFirst()
        .orElseGet(() -> api.createStack(stackName, owner));
    UUID stackId = UUID.fromString(stack.getString("id"));
    if (!owner.toString().equals(stack.getString("generator_id"))) {
      throw new ClientFailure("stack \"" + stackName + "\" belongs to another generator");
    }
    for (String label : labels) {
      api.addStackLabel(stackId, label);
    }

    JsonObject latest = null;
    var objects = api.listDeploymentObjects(stackId);
    for (Object o : objects) {
      if (o instanceof JsonObject obj && (latest == null || obj.getLong("sequence_id", 0L) > latest.getLong("sequence_id", 0L))) {
        latest = obj;
      }
    }
    if (latest != null && bundle.checksum().equals(latest.getString("yaml_checksum"))) {
      return new Outcome("unchanged", latest.getLong("sequence_id", 0L));
    }
    JsonObject created = api.createDeploymentObject(stackId, bundle.content());
    return new Outcome(objects.isEmpty() ? "created" : "updated", created.getLong("sequence_id", 0L));
  }

  /** With a generator PAK, {@code --generator} may only name that PAK's own generator. */
  private static void requireOwn(BrokerApi api, UUID own, String given) {
    Optional<UUID> id = Names.asId(given);
    boolean same = id.isPresent() ? id.get().equals(own) : given.equals(api.getGenerator(own).getString("name"));
    if (!same) {
      throw new ClientFailure("--generator " + given + " is not the generator of this PAK");
    }
  }
}
