package org.brokkr.broker.cli.client;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.brokkr.broker.cli.Arguments;
import org.brokkr.broker.cli.UsageException;

/**
 * {@code brokkr}, the client of a running broker (REST only): {@code apply} a folder of manifests
 * as a stack's desired state, and manage agent registrations. Exit status 0 when done, 1 when the
 * command failed ({@code error: ...} on stderr), 2 for a command line that cannot be used.
 */
public final class BrokkrCli {
  static final String USAGE = """
      usage: brokkr [--broker-url URL] [--pak PAK] [--ca-file PEM] [--config PATH] COMMAND
        apply -f PATH --stack NAME [--target-label LABEL]... [--generator NAME_OR_ID]
            make a folder (top-level *.yaml/*.yml) or a file of manifests the stack's desired state;
            the stack is created if needed, a revision is sent only when the manifests changed
        register --agent NAME_OR_ID --generator NAME_OR_ID     (admin PAK)
        deregister --agent NAME_OR_ID --generator NAME_OR_ID   (admin PAK)
        registrations (--agent NAME_OR_ID | --generator NAME_OR_ID)
      The broker URL and PAK come from the flags, else BROKKR_BROKER_URL and BROKKR_PAK, else
      broker_url and pak in ~/.brokkr/config (TOML). For an https URL the broker's certificate is
      checked against the JVM's authorities, or only those in --ca-file (else BROKKR_CA_FILE, else
      ca_file in the config file).
      """;
  private static final String[] CONNECTION = {"broker-url", "pak", "ca-file", "config"};

  private BrokkrCli() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  public static int run(String[] argv, Map<String, String> env, PrintStream out, PrintStream err) {
    Arguments args;
    String command;
    try {
      args = Arguments.parse(argv, Set.of("help"), Map.of('f', "filename", 'h', "help"));
      if (args.has("help") || args.words().equals(List.of("help"))) {
        out.print(USAGE);
        return 0;
      }
      if (args.words().size() != 1) {
        throw new UsageException(args.words().isEmpty() ? "a command is required" : "unknown command '" + String.join(" ", args.words()) + "'");
      }
      command = args.words().get(0);
      checkOptions(command, args);
    } catch (UsageException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try {
      Connection connection = Connection.resolve(args.option("broker-url"), args.option("pak"), args.option("ca-file"),
          args.option("config"), env);
      BrokerApi api = new BrokerApi(connection);
      List<String> lines = switch (command) {
        case "apply" -> List.of(ApplyCommand.run(api, Path.of(args.required("filename")), args.required("stack"),
            args.all("target-label"), args.option("generator"), err::println));
        case "register" -> RegistrationCommands.register(api, args.required("agent"), args.required("generator"));
        case "deregister" -> RegistrationCommands.deregister(api, args.required("agent"), args.required("generator"));
        default -> args.option("agent").isPresent()
            ? RegistrationCommands.ofAgent(api, args.option("agent").get())
            : RegistrationCommands.ofGenerator(api, args.option("generator").get());
      };
      lines.forEach(out::println);
      return 0;
    } catch (ClientFailure e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  /** The command's own options plus the connection flags; required ones present. */
  private static void checkOptions(String command, Arguments args) {
    switch (command) {
      case "apply" -> {
        allow(args, "filename", "stack", "target-label", "generator");
        args.required("filename");
        args.required("stack");
        args.option("generator");
      }
      case "register", "deregister" -> {
        allow(args, "agent", "generator");
        args.required("agent");
        args.required("generator");
      }
      case "registrations" -> {
        allow(args, "agent", "generator");
        if (args.option("agent").isPresent() == args.option("generator").isPresent()) {
          throw new UsageException("registrations needs exactly one of --agent and --generator");
        }
      }
      default -> throw new UsageException("unknown command '" + command + "'");
    }
    for (String flag : CONNECTION) {
      args.option(flag);
    }
  }

  private static void allow(Arguments args, String... own) {
    String[] all = new String[own.length + CONNECTION.length];
    System.arraycopy(own, 0, all, 0, own.length);
    System.arraycopy(CONNECTION, 0, all, own.length, CONNECTION.length);
    args.allow(all);
  }
}
