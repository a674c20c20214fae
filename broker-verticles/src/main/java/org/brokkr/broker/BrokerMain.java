package org.brokkr.broker;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.ops.BrokerMetrics;
import org.brokkr.codecs.config.Logging;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar brokkr-broker.jar [serve | generate-pak]}: configuration from defaults, file and
 * environment. {@code generate-pak} mints an admin PAK offline (no database) and prints it with
 * the hash to configure as {@code BROKKR__BROKER__PAK_HASH}.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "serve" : args[0];
    if (!command.equals("serve") && !command.equals("generate-pak")) {
      System.err.println("brokkr-broker: unknown command '" + command + "'; usage: brokkr-broker [serve | generate-pak]");
      System.exit(2);
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
    if (command.equals("generate-pak")) {
      Pak.Minted minted = Pak.mint(config.pakFormat());
      System.out.println("PAK:  " + minted.pak());
      System.out.println("Hash: " + minted.hash());
      System.out.println();
      System.out.println("Start the broker with BROKKR__BROKER__PAK_HASH=" + minted.hash()
          + " and the PAK above is its admin credential (it replaces the stored one at every start).");
      return;
    }
    Logging.configure(config.logLevel(), config.logFormat());
    Logger log = LoggerFactory.getLogger(BrokerMain.class);
    Vertx vertx = BrokerMetrics.vertx(new VertxOptions().setPreferNativeTransport(true));
    Broker broker;
    try {
      broker = Broker.start(vertx, config).await(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      log.error("startup failed: {}", e.getMessage(), e);
      vertx.close().await(30, TimeUnit.SECONDS);
      System.exit(1);
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
}
