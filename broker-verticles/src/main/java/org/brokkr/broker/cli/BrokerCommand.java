package org.brokkr.broker.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** One invocation of {@code brokkr-broker}, parsed and checked before anything is opened. */
public sealed interface BrokerCommand {
  String USAGE = """
      usage: brokkr-broker [serve]
             brokkr-broker create agent --name NAME --cluster-name CLUSTER [--generator-ids ID1,ID2]
             brokkr-broker create generator --name NAME [--description TEXT]
             brokkr-broker rotate agent --uuid ID
             brokkr-broker rotate generator --uuid ID
             brokkr-broker rotate admin
             brokkr-broker generate-pak
      Settings as for serve: defaults, the file named by BROKKR_CONFIG_FILE, BROKKR__SECTION__KEY variables.
      """;

  /** Run the broker. */
  record Serve() implements BrokerCommand {}

  /** Print {@link #USAGE}. */
  record Help() implements BrokerCommand {}

  /** Mint an admin PAK and its hash offline. */
  record GeneratePak() implements BrokerCommand {}

  record CreateAgent(String name, String clusterName, List<UUID> generatorIds) implements BrokerCommand {}

  record CreateGenerator(String name, Optional<String> description) implements BrokerCommand {}

  record RotateAgent(UUID id) implements BrokerCommand {}

  record RotateGenerator(UUID id) implements BrokerCommand {}

  record RotateAdmin() implements BrokerCommand {}

  static BrokerCommand parse(String[] argv) {
    Arguments args = Arguments.parse(argv, Set.of("help"), Map.of('h', "help"));
    List<String> words = args.words();
    if (args.has("help")) {
      return new Help();
    }
    String command = words.isEmpty() ? "serve" : String.join(" ", words);
    return switch (command) {
      case "serve" -> {
        args.allow();
        yield new Serve();
      }
      case "help" -> new Help();
      case "generate-pak" -> {
        args.allow();
        yield new GeneratePak();
      }
      case "create agent" -> {
        args.allow("name", "cluster-name", "generator-ids");
        yield new CreateAgent(name(args, "name"), name(args, "cluster-name"), uuids(args.all("generator-ids")));
      }
      case "create generator" -> {
        args.allow("name", "description");
        yield new CreateGenerator(name(args, "name"), args.option("description"));
      }
      case "rotate agent" -> new RotateAgent(uuid(args.allow("uuid").required("uuid"), "uuid"));
      case "rotate generator" -> new RotateGenerator(uuid(args.allow("uuid").required("uuid"), "uuid"));
      case "rotate admin" -> {
        args.allow();
        yield new RotateAdmin();
      }
      default -> throw new UsageException("unknown command '" + command + "'");
    };
  }

  /** As the API checks names: not blank, at most 255 characters. */
  private static String name(Arguments args, String option) {
    String value = args.required(option);
    if (value.isBlank() || value.codePointCount(0, value.length()) > 255) {
      throw new UsageException("--" + option + " must be 1-255 characters");
    }
    return value;
  }

  static UUID uuid(String raw, String option) {
    String text = raw.trim();
    if (!text.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
      throw new UsageException("--" + option + ": '" + raw + "' is not a UUID");
    }
    return UUID.fromString(text);
  }

  /** Comma-separated, repeatable; blanks skipped, duplicates dropped. */
  private static List<UUID> uuids(List<String> values) {
    Set<UUID> out = new LinkedHashSet<>();
    for (String value : values) {
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          out.add(uuid(item, "generator-ids"));
        }
      }
    }
    return new ArrayList<>(out);
  }
}
