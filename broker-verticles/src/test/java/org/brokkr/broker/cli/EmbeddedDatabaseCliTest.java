package org.brokkr.broker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.Broker;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's embedded database: the CLI reaches a running broker's embedded server (its port
 * is in the pid file), and starts the data directory itself when no broker runs.
 */
class EmbeddedDatabaseCliTest {
  @TempDir
  Path dir;

  private static int status(WebClient client, Broker broker, String pak) throws Exception {
    return client.post(broker.port(), "127.0.0.1", "/api/v1/auth/pak").putHeader("Authorization", "Bearer " + pak)
        .send().await(30, TimeUnit.SECONDS).statusCode();
  }

  @Test
  void theCliWorksOnTheEmbeddedDatabaseWithAndWithoutARunningBroker() throws Exception {
    Path data = dir.resolve("data");
    Map<String, String> env = Map.of("BROKKR__DATABASE__EMBEDDED_DATA_DIR", data.toString());
    Map<String, String> s = new HashMap<>();
    s.put("database.embedded_data_dir", data.toString());
    s.put("broker.port", "0");
    s.put("broker.host", "127.0.0.1");
    s.put("broker.http_instances", "1");
    Vertx vertx = TestVertx.create();
    Broker broker = Broker.start(vertx, BrokerConfig.from(Settings.of(s))).await(120, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx);
    try {
      Path keyFile = data.resolve("admin-pak.txt");
      String firstAdmin = Files.readString(keyFile).trim();
      assertEquals(200, status(client, broker, firstAdmin));

      CliRun gen = CliRun.of(env, "create", "generator", "--name", "embedded-gen").ok();
      assertEquals(200, status(client, broker, gen.field("Initial PAK")));

      CliRun admin = CliRun.of(env, "rotate", "admin").ok();
      assertEquals(keyFile.toAbsolutePath().toString(), admin.field("Written to"));
      String newAdmin = Files.readString(keyFile).trim();
      assertEquals(admin.field("New PAK"), newAdmin);
      assertNotEquals(firstAdmin, newAdmin);
      assertEquals(200, status(client, broker, newAdmin));
      assertEquals(401, status(client, broker, firstAdmin));
    } finally {
      client.close();
      broker.stop().await(60, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }

    CliRun offline = CliRun.of(env, "create", "generator", "--name", "while-stopped").ok();
    assertEquals("while-stopped", offline.field("Name"));
  }
}
