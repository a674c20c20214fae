package org.brokkr.broker.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.Broker;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.ops.BrokerMetrics;
import org.brokkr.codecs.config.Settings;
import org.brokkr.broker.db.DatabaseTarget;
import org.brokkr.codecs.Pak;

/**
 * A real broker on a fresh database, on a free port, with a known admin PAK; plus a small
 * blocking HTTP client for tests. Close it after the class.
 */
public final class TestBroker implements AutoCloseable {
  /** The webhook encryption key of test brokers (a test may override or blank it). */
  public static final String WEBHOOK_KEY_HEX = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  public final Vertx vertx;
  public final Broker broker;
  public final DatabaseTarget database;
  public final String adminPak;
  public final WebClient client;
  private boolean ownsDatabase;

  private TestBroker(Vertx vertx, Broker broker, DatabaseTarget database, String adminPak, WebClientOptions clientOptions) {
    this.vertx = vertx;
    this.broker = broker;
    this.database = database;
    this.adminPak = adminPak;
    this.client = WebClient.create(vertx, clientOptions.setDefaultPort(broker.port()));
  }

  /** A broker on a fresh database, dropped again when the broker is closed. */
  public static TestBroker start() {
    TestBroker broker = start(TestDatabase.fresh(), Map.of());
    broker.ownsDatabase = true;
    return broker;
  }

  /** A broker on an existing database (several brokers may share one). */
  public static TestBroker start(DatabaseTarget database, Map<String, String> extra) {
    return start(database, extra, Map.of());
  }

  /**
   * A broker whose settings are the test's, then the environment {@code env} holds: a config file
   * ({@code BROKKR_CONFIG_FILE}) and its watcher switches; a reload reads them again.
   */
  public static TestBroker start(DatabaseTarget database, Map<String, String> extra, Map<String, String> env) {
    return start(database, extra, env, new WebClientOptions().setDefaultHost("localhost"));
  }

  /**
   * A broker serving HTTPS ({@code broker.tls_*} in {@code extra}) on a fresh database; its
   * client trusts {@code trust} only and checks the host name against 127.0.0.1.
   */
  public static TestBroker startHttps(Map<String, String> extra, TrustOptions trust) {
    TestBroker broker = start(TestDatabase.fresh(), extra, Map.of(), new WebClientOptions().setDefaultHost("127.0.0.1")
        .setSsl(true).setVerifyHost(true).setTrustOptions(trust));
    broker.ownsDatabase = true;
    return broker;
  }

  private static TestBroker start(DatabaseTarget database, Map<String, String> extra, Map<String, String> env,
      WebClientOptions clientOptions) {
    Pak.Minted admin = Pak.mint(Pak.Format.DEFAULT);
    Map<String, String> settings = new HashMap<>(BrokerConfig.DEFAULTS);
    settings.put("database.url", TestDatabase.url(database));
    settings.put("broker.port", "0");
    settings.put("broker.host", "127.0.0.1");
    settings.put("broker.pak_hash", admin.hash());
    settings.put("broker.http_instances", "2");
    settings.put("database.max_connections", "8");
    // tests compare the fleet view with what they just changed (FleetSnapshotTest covers the snapshot)
    settings.put("broker.fleet_snapshot_max_age_ms", "0");
    settings.put("broker.webhook_encryption_key", WEBHOOK_KEY_HEX);
    settings.putAll(extra);
    org.brokkr.broker.config.ConfigSource source = new org.brokkr.broker.config.ConfigSource(settings, env);
    BrokerConfig config = BrokerConfig.from(source.load(), source);
    Vertx vertx = BrokerMetrics.vertx(TestVertx.options());
    try {
      Broker broker = Broker.start(vertx, config).await(60, TimeUnit.SECONDS);
      return new TestBroker(vertx, broker, database, admin.pak(), clientOptions);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("broker did not start", e);
    }
  }

  public Api as(String pak) {
    return new Api(client, pak);
  }

  public Api admin() {
    return as(adminPak);
  }

  public Api anonymous() {
    return new Api(client, null);
  }

  /** Stops the broker but keeps its database, so another broker can take over (restart scenarios). */
  public void closeKeepingDatabase() {
    ownsDatabase = false;
    close();
  }

  @Override
  public void close() {
    try {
      client.close();
      broker.stop().await(30, TimeUnit.SECONDS);
      vertx.close().await(30, TimeUnit.SECONDS);
      if (ownsDatabase) {
        TestDatabase.drop(database);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Blocking calls against {@code /api/v1} with one PAK. */
  public static final class Api {
    private final WebClient client;
    private final String pak;

    Api(WebClient client, String pak) {
      this.client = client;
      this.pak = pak;
    }

    public HttpResponse<Buffer> get(String path) {
      return send("GET", path, null, null);
    }

    public HttpResponse<Buffer> delete(String path) {
      return send("DELETE", path, null, null);
    }

    public HttpResponse<Buffer> post(String path, Object json) {
      return send("POST", path, json == null ? null : Buffer.buffer(io.vertx.core.json.Json.encode(json)), "application/json");
    }

    public HttpResponse<Buffer> put(String path, Object json) {
      return send("PUT", path, Buffer.buffer(io.vertx.core.json.Json.encode(json)), "application/json");
    }

    public HttpResponse<Buffer> postRaw(String path, String body, String contentType) {
      return send("POST", path, Buffer.buffer(body), contentType);
    }

    public HttpResponse<Buffer> send(String method, String path, Buffer body, String contentType) {
      var req = client.request(io.vertx.core.http.HttpMethod.valueOf(method), path.startsWith("/") && !path.startsWith("/api")
          && !path.startsWith("/healthz") && !path.startsWith("/readyz") && !path.startsWith("/docs")
          && !path.startsWith("/metrics") && !path.startsWith("/swagger-ui") ? "/api/v1" + path : path);
      if (pak != null) {
        req.putHeader("Authorization", "Bearer " + pak);
      }
      if (contentType != null) {
        req.putHeader("Content-Type", contentType);
      }
      try {
        return (body == null ? req.send() : req.sendBuffer(body)).await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(method + " " + path + " failed", e);
      }
    }
  }

  /** The JSON object body of a response. */
  public static JsonObject json(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject();
  }
}
