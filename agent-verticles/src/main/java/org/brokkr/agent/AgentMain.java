package org.brokkr.agent;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.cluster.Fabric8ClusterOps;
import org.brokkr.agent.cluster.RetryPolicy;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Logging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar brokkr-agent.jar [--generator-ids U1,U2]}; SIGTERM or SIGINT stop it cleanly. */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    AgentConfig config;
    try {
      config = AgentConfig.fromEnvironment(System.getenv(), List.of(args));
    } catch (ConfigException e) {
      System.err.println("brokkr-agent: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logging.configure(config.logLevel(), config.logFormat());
    Logger log = LoggerFactory.getLogger(AgentMain.class);
    Vertx vertx = Vertx.vertx();
    Agent agent;
    Fabric8ClusterOps cluster;
    try {
      cluster = Fabric8ClusterOps.connect(vertx, config.kubeconfigPath(), config.watchNamespace(), RetryPolicy.DEFAULT,
          System.getenv());
    } catch (ConfigException e) {
      System.err.println("brokkr-agent: " + e.getMessage());
      vertx.close().await(30, TimeUnit.SECONDS);
      System.exit(2);
      return;
    }
    try {
      agent = Agent.start(vertx, config, cluster).await(config.maxRetries() + 120L, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("agent startup failed: {}", e.getMessage());
      cluster.close();
      vertx.close().await(30, TimeUnit.SECONDS);
      System.exit(1);
      return;
    }
    Fabric8ClusterOps ops = cluster;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      try {
        agent.stop().await(30, TimeUnit.SECONDS);
        ops.close();
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("unclean shutdown: {}", e.toString());
      }
      stopped.countDown();
    }, "brokkr-agent-shutdown"));
    stopped.await();
  }
}
