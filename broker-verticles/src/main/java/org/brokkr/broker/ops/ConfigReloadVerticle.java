package org.brokkr.broker.ops;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.config.ConfigSource;
import org.brokkr.broker.config.ReloadableSettings;
import org.brokkr.broker.support.Channels;
import org.brokkr.broker.support.FailureLog;
import org.brokkr.broker.support.Rows;
import org.brokkr.codecs.Addresses;
import org.brokkr.codecs.Randomness;
import org.brokkr.codecs.config.ConfigException;
import org.brokkr.codecs.config.Logging;
import org.brokkr.codecs.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of this broker's runtime settings. A reload reads the sources again (on a worker
 * thread), validates the whole configuration, applies the reloadable keys (the log level here,
 * the rest by publishing {@link Addresses#CONFIG_CHANGED} to the verticles that use them) and
 * names the keys that changed but need a restart. Reloads come from the admin API, from the
 * config file changing (checked every second, applied after the debounce; a Kubernetes ConfigMap
 * mounted as the file swaps a symlink, which this sees as well), and from another replica: an API
 * reload notifies the config channel ({@link Channels}; payload: the replica's id),
 * and every other broker on the same schema reloads its own sources. One instance per broker.
 */
public final class ConfigReloadVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloadVerticle.class);
  private static final long FILE_CHECK_MILLIS = 1_000;

  private final ConfigSource source;
  private final Pool pool;
  /** This broker's id in reload notifications (the channel is already its schema's own). */
  private final String replicaId;
  private ReloadableSettings live;
  private Settings loaded;
  private String fileDigest;
  private long fileTimer = -1;
  private long debounceTimer = -1;
  private boolean checking;

  public ConfigReloadVerticle(BrokerConfig config, Pool pool) {
    this.source = config.source();
    this.pool = pool;
    this.live = ReloadableSettings.of(config);
    this.replicaId = Randomness.uuid().toString();
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CONFIG_RELOAD, this::onRequest);
    vertx.eventBus().<String>localConsumer(Addresses.CONFIG_PEER_RELOADED, m -> {
      String payload = m.body();
      if (payload != null && !payload.equals(replicaId)) {
        reload("replica").onFailure(e -> LOG.warn("configuration reload after another replica's failed: {}", e.getMessage()));
      }
    });
    return vertx.executeBlocking(() -> new Read(source.load(), null, digest(source.file().orElse(null)))).map(first -> {
      loaded = first.settings();
      fileDigest = first.fileDigest();
      watchFile();
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(fileTimer);
    vertx.cancelTimer(debounceTimer);
    return Future.succeededFuture();
  }

  /** One reading of the sources, made on a worker thread. */
  private record Read(Settings settings, ReloadableSettings live, String fileDigest) {}

  private void onRequest(Message<JsonObject> message) {
    String origin = message.body() == null ? "api" : message.body().getString("origin", "api");
    reload(origin).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        message.fail(500, ar.cause().getMessage());
      }
    });
  }

  /** The file watcher, armed as the reference's: a config file that exists, and the watcher not disabled. */
  private void watchFile() {
    Path file = source.file().orElse(null);
    if (file == null || fileDigest == null || !source.watcherEnabled()) {
      return;
    }
    int debounce = source.debounceSeconds();
    LOG.info("watching the config file for changes path={} debounce_s={}", file, debounce);
    fileTimer = vertx.setPeriodic(FILE_CHECK_MILLIS, id -> {
      if (checking || debounceTimer != -1) {
        return;
      }
      checking = true;
      vertx.executeBlocking(() -> digest(file)).onComplete(ar -> {
        checking = false;
        if (ar.succeeded() && ar.result() != null && !ar.result().equals(fileDigest)) {
          fileDigest = ar.result();
          debounceTimer = vertx.setTimer(Math.max(1, debounce * 1000L), t -> {
            debounceTimer = -1;
            reload("file").onFailure(e -> LOG.warn("config file changed but cannot be applied: {}", e.getMessage()));
          });
        }
      });
    });
  }

  /** One reload; the answer is the reference's {@code ConfigReloadResponse} plus {@code restart_required}. */
  private Future<JsonObject> reload(String origin) {
    return vertx.executeBlocking(() -> {
      Settings next = source.load();
      // the whole configuration must still be valid, or nothing changes
      BrokerConfig config = BrokerConfig.from(next, source);
      return new Read(next, ReloadableSettings.of(config), digest(source.file().orElse(null)));
    }).recover(e -> Future.failedFuture(e instanceof ConfigException ? e
        : new ConfigException("cannot load the configuration: " + FailureLog.oneLine(e.toString()))))
        .compose(result -> {
          Settings next = result.settings();
          ReloadableSettings nextLive = result.live();
          if (result.fileDigest() != null) {
            fileDigest = result.fileDigest();
          }
          List<ReloadableSettings.Change> changes = live.changesTo(nextLive);
          List<String> restart = ReloadableSettings.restartRequired(loaded, next);
          loaded = next;
          live = nextLive;
          apply(changes, nextLive);
          log(origin, changes, restart);
          JsonArray changed = new JsonArray();
          changes.forEach(c -> changed.add(c.toJson()));
          JsonObject answer = new JsonObject()
              .put("reloaded_at", Rows.timestamp(OffsetDateTime.now(ZoneOffset.UTC)))
              .put("changes", changed)
              .put("success", true)
              .put("message", changes.isEmpty() ? "No changes detected" : changes.size() + " setting(s) updated")
              .put("restart_required", new JsonArray(restart));
          return "api".equals(origin) ? notifyPeers().map(answer) : Future.succeededFuture(answer);
        });
  }

  private void apply(List<ReloadableSettings.Change> changes, ReloadableSettings next) {
    if (changes.isEmpty()) {
      return;
    }
    if (changes.stream().anyMatch(c -> c.key().equals("log.level"))) {
      Logging.level(next.logLevel());
    }
    vertx.eventBus().publish(Addresses.CONFIG_CHANGED, next.toJson());
  }

  private static void log(String origin, List<ReloadableSettings.Change> changes, List<String> restart) {
    if (changes.isEmpty()) {
      LOG.info("configuration reloaded origin={} changes=none", origin);
    }
    for (ReloadableSettings.Change c : changes) {
      LOG.info("configuration reloaded origin={} key={} old={} new={}", origin, c.key(), c.oldValue(), c.newValue());
    }
    if (!restart.isEmpty()) {
      LOG.warn("configuration changed for settings read only at startup; they take effect after a restart keys={}", restart);
    }
  }

  /** Other replicas reload their own sources; a lost notification costs that replica only this reload. */
  private Future<Void> notifyPeers() {
    return pool.preparedQuery(Channels.notifySql(Channels.CONFIG)).execute(Tuple.of(replicaId)).<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("could not tell the other replicas about the reload: {}", FailureLog.oneLine(e.toString()));
          return Future.succeededFuture();
        });
  }

  /** SHA-256 of the file's bytes (following a ConfigMap's symlinks), or null when it cannot be read. */
  private static String digest(Path file) {
    if (file == null) {
      return null;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(file)));
    } catch (Exception e) {
      return null;
    }
  }
}
