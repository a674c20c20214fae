package org.brokkr.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.ops.BrokerMetrics;
import org.brokkr.codecs.config.Logging;

/**
 * {@code java -XX:ArchiveClassesAtExit=brokkr-broker.jsa -jar brokkr-broker.jar cds-training}, run
 * by the build: a start that needs no database or network beyond loopback, so the archive holds
 * the classes every real start loads. Not a user command; it is not in the usage text.
 */
final class CdsTraining {
  static final String COMMAND = "cds-training";

  private static final List<String> PATHS = List.of("/healthz", "/readyz", "/api/v1/agents",
      "/api/v1/agents/00000000-0000-0000-0000-000000000000/target-state", "/docs/openapi.json", "/nowhere");

  private CdsTraining() {}

  static boolean requested(String[] args) {
    return args.length == 1 && COMMAND.equals(args[0]);
  }

  static int run() throws Exception {
    BrokerConfig config = BrokerConfig.fromEnvironment(Map.of("BROKKR__BROKER__HOST", "127.0.0.1", "BROKKR__BROKER__PORT", "0",
        "BROKKR__LOG__LEVEL", "warn"));
    Logging.configure(config.logLevel(), config.logFormat());
    Vertx vertx = BrokerMetrics.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      Broker.train(vertx, config).await(2, TimeUnit.MINUTES);
      return 0;
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** A few requests through the router: not-ready answers, authentication refusals, a 404. */
  static Future<Void> requests(Vertx vertx, int port) {
    HttpClient client = vertx.createHttpClient();
    Future<Void> chain = Future.succeededFuture();
    for (String path : PATHS) {
      chain = chain.compose(v -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
              .setURI(path).putHeader("Authorization", "Bearer brokkr_BRtraining_trainingtrainingtrainingtr"))
          .compose(request -> request.send().compose(HttpClientResponse::body))
          .mapEmpty());
    }
    return chain.eventually(client::close);
  }
}
