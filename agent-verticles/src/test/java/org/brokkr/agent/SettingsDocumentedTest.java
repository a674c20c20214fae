package org.brokkr.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.broker.config.ConfigSource;
import org.brokkr.codecs.config.Settings;
import org.junit.jupiter.api.Test;

/**
 * README's settings table names every setting the broker and the agent read: the keys are taken
 * from the configuration readers themselves, so a new setting without its row fails here.
 */
class SettingsDocumentedTest {

  private static String readme() throws Exception {
    return Files.readString(Path.of("..", "README.md"));
  }

  @Test
  void everySettingOfTheBrokerAndTheAgentHasItsRowInTheReadme() throws Exception {
    Settings broker = Settings.of(Map.of());
    BrokerConfig.from(broker);
    Settings agent = Settings.of(Map.of("agent.pak", "brokkr_BRabcdefgh_abcdefghijklmnopqrstuvwx"));
    AgentConfig.from(agent);
    SortedSet<String> keys = new TreeSet<>(broker.keysRead());
    keys.addAll(agent.keysRead());
    String text = readme();
    SortedSet<String> missing = new TreeSet<>();
    for (String key : keys) {
      String env = Settings.envOf(key);
      if (!text.contains("| `" + env + "`")) {
        missing.add(env);
      }
    }
    for (String env : List.of(Settings.CONFIG_FILE_ENV, ConfigSource.WATCHER_ENABLED_ENV, ConfigSource.WATCHER_DEBOUNCE_ENV,
        ConfigSource.CONFIGMAP_ENV, ConfigSource.CONFIGMAP_KEY_ENV)) {
      if (!text.contains("| `" + env + "`")) {
        missing.add(env);
      }
    }
    assertEquals(new TreeSet<>(), missing, "settings without a row of their own in README's table");
  }
}
