package org.brokkr.broker.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.config.ConfigException;

/**
 * The broker jar's commands other than {@code serve}: parse, load the same configuration as
 * {@code serve}, do one thing against the database, print what the reference prints. Exit status
 * 0 when done, 1 when the command failed (one line on stderr), 2 for a command line or setting
 * that cannot be used.
 */
public final class BrokerCli {
  private static final String NAME = "brokkr-broker";

  private BrokerCli() {}

  /** True when {@code args} ask for the server rather than a one-shot command. */
  public static boolean isServe(String[] args) {
    try {
      return BrokerCommand.parse(args) instanceof BrokerCommand.Serve;
    } catch (UsageException e) {
      return false;
    }
  }

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    BrokerCommand command;
    BrokerConfig config;
    try {
      command = BrokerCommand.parse(args);
      if (command instanceof BrokerCommand.Help) {
        out.print(BrokerCommand.USAGE);
        return 0;
      }
      config = BrokerConfig.fromEnvironment(env);
    } catch (UsageException e) {
      err.println(NAME + ": " + e.getMessage());
      err.print(BrokerCommand.USAGE);
      return 2;
    } catch (ConfigException e) {
      err.println(NAME + ": " + e.getMessage());
      return 2;
    }
    if (command instanceof BrokerCommand.Serve) {
      throw new IllegalArgumentException("serve is not a one-shot command");
    }
    if (command instanceof BrokerCommand.GeneratePak) {
      generatePak(config, out);
      return 0;
    }
    try {
      Report report = execute(command, config);
      report.lines().forEach(out::println);
      report.warnings().forEach(err::println);
      return 0;
    } catch (Throwable e) {
      err.println(NAME + ": error: " + describe(e));
      return 1;
    }
  }

  private static Report execute(BrokerCommand command, BrokerConfig config) {
    Vertx vertx = Vertx.vertx();
    try {
      // two connections where the reference's create agent needs them; one everywhere else
      int connections = command instanceof BrokerCommand.CreateAgent ? 2 : 1;
      try (CliDatabase db = CliDatabase.open(vertx, config, connections)) {
        IdentityCommands identities = new IdentityCommands(db.pool, config.pakFormat());
        if (command instanceof BrokerCommand.CreateAgent c) {
          return CliDatabase.await(identities.createAgent(c));
        } else if (command instanceof BrokerCommand.CreateGenerator c) {
          return CliDatabase.await(identities.createGenerator(c));
        } else if (command instanceof BrokerCommand.RotateAgent c) {
          return CliDatabase.await(identities.rotateAgent(c.id()));
        } else if (command instanceof BrokerCommand.RotateGenerator c) {
          return CliDatabase.await(identities.rotateGenerator(c.id()));
        } else if (command instanceof BrokerCommand.RotateAdmin) {
          return new AdminRotation(db.pool, config).run();
        }
        throw new IllegalStateException("not a database command: " + command);
      }
    } finally {
      closeQuietly(vertx.close());
    }
  }

  /** Unchanged from the first version of the jar: scripts read these lines. */
  private static void generatePak(BrokerConfig config, PrintStream out) {
    Pak.Minted minted = Pak.mint(config.pakFormat());
    out.println("PAK:  " + minted.pak());
    out.println("Hash: " + minted.hash());
    out.println();
    out.println("Start the broker with BROKKR__BROKER__PAK_HASH=" + minted.hash()
        + " and the PAK above is its admin credential (it replaces the stored one at every start).");
  }

  /** One line about a failure, without a stack trace. */
  static String describe(Throwable e) {
    if (e instanceof CliFailure) {
      return e.getMessage();
    }
    if (e instanceof PgException pg) {
      return pg.getErrorMessage() + (pg.getSqlState() == null ? "" : " (SQLSTATE " + pg.getSqlState() + ")");
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName() : root.getMessage();
    return message.lines().filter(l -> !l.isBlank()).findFirst().orElse(message).trim();
  }

  private static void closeQuietly(Future<Void> closing) {
    try {
      closing.await(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // the command's outcome is already decided
    }
  }
}
