package org.brokkr.broker;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.cli.BrokerCli;
import org.brokkr.broker.cli.CliLogging;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.ops.BrokerMetrics;
import org.brokkr.codecs.config.Logging;
import org.brokkr.codecs.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar brokkr-broker.jar [serve]}: configuration from defaults, file and environment.
 * Every other command ({@code create}, {@code rotate}, {@code generate-pak}) is a one-shot
 * {@link BrokerCli} command.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    StartupPhases phases = StartupPhases.sinceJvmStart();
    phases.end("main");
    if (CdsTraining.requested(args)) {
      System.exit(CdsTraining.run());
      return;
    }
    if (!BrokerCli.isServe(args)) {
      CliLogging.configure();
      System.exit(BrokerCli.run(args, System.getenv(), System.out, System.err));
      return;
    }
    BrokerConfig config;
    try {
      config = BrokerConfig.fromEnvironment(System.getenv());
    } catch (ConfigException e) {
      System.err.println("brokkr-broker: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logging.configure(config.logLevel(), config.logFormat());
    Logger log = LoggerFactory.getLogger(BrokerMain.class);
    phases.end("configuration");
    Vertx vertx = BrokerMetrics.vertx(new VertxOptions().setPreferNativeTransport(true));
    phases.end("vertx");
    Broker broker;
    try {
      broker = Broker.start(vertx, config, phases).await(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      ConfigException unusable = configProblem(e);
      if (unusable != null) {
        // a file the configuration names cannot be used: its one-line message says which and why
        log.error("startup failed: {}", unusable.getMessage());
      } else {
        log.error("startup failed: {}", e.getMessage(), e);
      }
      vertx.close().await(30, TimeUnit.SECONDS);
      System.exit(unusable != null ? 2 : 1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      try {
        broker.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
        log.info("stopped");
      } catch (Exception e) {
        log.warn("unclean shutdown: {}", e.toString());
      }
      stopped.countDown();
    }, "brokkr-shutdown"));
    stopped.await();
  }

  private static ConfigException configProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConfigException c) {
        return c;
      }
    }
    return null;
  }
}
