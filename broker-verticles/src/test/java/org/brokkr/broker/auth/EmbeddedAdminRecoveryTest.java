package org.brokkr.broker.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.Broker;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.testing.LogCapture;
import org.brokkr.broker.testing.TestVertx;
import org.brokkr.codecs.Pak;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default as a newcomer meets it: the minted admin PAK lands beside the data (so a
 * cleared /tmp cannot lock the admin out), a lost key file is reported with the way back in, and
 * that way (a hash from {@code generate-pak}) works.
 */
class EmbeddedAdminRecoveryTest {
  @TempDir
  Path dir;

  private BrokerConfig config(Map<String, String> extra) {
    Map<String, String> s = new HashMap<>();
    s.put("database.embedded_data_dir", dir.resolve("data").toString());
    s.put("broker.port", "0");
    s.put("broker.host", "127.0.0.1");
    s.put("broker.http_instances", "1");
    s.putAll(extra);
    return BrokerConfig.from(Settings.of(s));
  }

  private static <T> T run(BrokerConfig config, BrokerCheck<T> check) throws Exception {
    Vertx vertx = TestVertx.create();
    Broker broker = Broker.start(vertx, config).await(120, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx);
    try {
      return check.apply(broker, client);
    } finally {
      client.close();
      broker.stop().await(60, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static boolean isAdmin(WebClient client, Broker broker, String pak) throws Exception {
    var r = client.post(broker.port(), "127.0.0.1", "/api/v1/auth/pak").putHeader("Authorization", "Bearer " + pak)
        .send().await(30, TimeUnit.SECONDS);
    return r.statusCode() == 200 && r.bodyAsJsonObject().getBoolean("admin");
  }

  @Test
  void theAdminPakLivesBesideTheDataAndALostOneCanBeReplaced() throws Exception {
    Path keyFile = dir.resolve("data").resolve("admin-pak.txt");
    String minted = run(config(Map.of()), (broker, client) -> {
      String pak = Files.readString(keyFile).trim();
      assertTrue(isAdmin(client, broker, pak), "the minted PAK in " + keyFile + " is the admin credential");
      return pak;
    });

    Files.delete(keyFile);
    try (LogCapture log = new LogCapture()) {
      run(config(Map.of()), (broker, client) -> {
        assertTrue(isAdmin(client, broker, minted), "nothing is minted again: the stored hash is kept");
        return null;
      });
      assertTrue(log.entries().stream().anyMatch(e -> e.level().equals("WARN") && e.message().contains("generate-pak")
          && e.message().contains(keyFile.toString())), "the way back in is logged: " + log.entries());
    }

    Pak.Minted replacement = Pak.mint(Pak.Format.DEFAULT);
    run(config(Map.of("broker.pak_hash", replacement.hash())), (broker, client) -> {
      assertTrue(isAdmin(client, broker, replacement.pak()), "the configured hash is the admin credential now");
      assertEquals(false, isAdmin(client, broker, minted), "and the lost PAK no longer works");
      return null;
    });
  }

  @FunctionalInterface
  private interface BrokerCheck<T> {
    T apply(Broker broker, WebClient client) throws Exception;
  }
}
