package org.brokkr.broker.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.brokkr.broker.testing.Fixtures;
import org.brokkr.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code brokkr} against a real broker over HTTP: apply, registrations, where the URL and PAK come from. */
class BrokkrCliTest {
  static TestBroker broker;
  static Fixtures fx;
  static String url;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    fx = new Fixtures(broker);
    url = "http://127.0.0.1:" + broker.broker.port();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  record Run(int code, String out, String err) {
    Run ok() {
      assertEquals(0, code, "stdout: " + out + " stderr: " + err);
      return this;
    }

    String failure(int expected) {
      assertEquals(expected, code, "stdout: " + out + " stderr: " + err);
      return err.lines().findFirst().orElse("");
    }
  }

  /** A run with a home directory of its own (no stray ~/.brokkr/config) and the given variables. */
  private Run brokkr(Map<String, String> vars, String... args) {
    Map<String, String> env = new HashMap<>(vars);
    env.putIfAbsent("HOME", dir.resolve("home").toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BrokkrCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Map<String, String> as(String pak) {
    return Map.of("BROKKR_BROKER_URL", url, "BROKKR_PAK", pak);
  }

  private Path manifests(String name, Map<String, String> files) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    for (var e : files.entrySet()) {
      Files.writeString(folder.resolve(e.getKey()), e.getValue());
    }
    return folder;
  }

  private static JsonObject stackNamed(Fixtures.Generator gen, String name) {
    for (Object o : broker.as(gen.pak()).get("/stacks").bodyAsJsonArray()) {
      if (o instanceof JsonObject s && name.equals(s.getString("name"))) {
        return s;
      }
    }
    return null;
  }

  @Test
  void applyCreatesThenLeavesAloneThenUpdates() throws IOException {
    var gen = fx.generator();
    Path folder = manifests("web", Map.of(
        "10-ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n",
        "20-cm.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: web\ndata:\n  greeting: hi\n"));

    Run first = brokkr(as(gen.pak()), "apply", "-f", folder.toString(), "--stack", "web-app",
        "--target-label", "env:prod", "--target-label", "tier:web").ok();
    assertTrue(first.out().startsWith("created stack \"web-app\": first revision (sequence "), first.out());
    JsonObject stack = stackNamed(gen, "web-app");
    assertEquals(gen.id(), stack.getString("generator_id"));
    JsonArray labels = broker.as(gen.pak()).get("/stacks/" + stack.getString("id") + "/labels").bodyAsJsonArray();
    assertEquals(List.of("env:prod", "tier:web"), labels.stream().map(l -> ((JsonObject) l).getString("label")).sorted().toList());
    JsonArray objects = broker.as(gen.pak()).get("/stacks/" + stack.getString("id") + "/deployment-objects").bodyAsJsonArray();
    assertEquals(1, objects.size());
    ManifestBundle bundle = ManifestBundle.read(folder, line -> { });
    assertEquals(bundle.checksum(), objects.getJsonObject(0).getString("yaml_checksum"), "the broker's checksum is ours");
    assertEquals(bundle.content(), objects.getJsonObject(0).getString("yaml_content"));

    Run second = brokkr(as(gen.pak()), "apply", "-f", folder.toString(), "--stack", "web-app", "--target-label", "env:prod").ok();
    assertEquals("unchanged: stack \"web-app\" already current\n", second.out());

    Files.writeString(folder.resolve("20-cm.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\n  namespace: web\ndata:\n  greeting: hej\n");
    Run third = brokkr(as(gen.pak()), "apply", "--filename=" + folder, "--stack", "web-app").ok();
    assertTrue(third.out().startsWith("updated stack \"web-app\": new revision (sequence "), third.out());
    assertEquals(2, broker.as(gen.pak()).get("/stacks/" + stack.getString("id") + "/deployment-objects").bodyAsJsonArray().size());
  }

  @Test
  void badYamlNamesFileAndLineAndNothingIsSent() throws IOException {
    var gen = fx.generator();
    Path folder = manifests("broken", Map.of(
        "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n",
        "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n"));
    String line = brokkr(as(gen.pak()), "apply", "-f", folder.toString(), "--stack", "never").failure(1);
    assertTrue(line.startsWith("error: " + folder.resolve("b.yaml") + ":4:"), line);
    assertEquals(null, stackNamed(gen, "never"), "no stack was created");
  }

  @Test
  void anAdminPakAppliesForANamedGenerator() throws IOException {
    var gen = fx.generator();
    String name = broker.admin().get("/generators/" + gen.id()).bodyAsJsonObject().getString("name");
    Path folder = manifests("admin", Map.of("cm.yaml", Fixtures.configMap("by-admin")));

    String refused = brokkr(as(broker.adminPak), "apply", "-f", folder.toString(), "--stack", "ops").failure(1);
    assertTrue(refused.contains("--generator"), refused);

    brokkr(as(broker.adminPak), "apply", "-f", folder.toString(), "--stack", "ops", "--generator", name).ok();
    assertEquals(gen.id(), stackNamed(gen, "ops").getString("generator_id"));
    assertEquals("unchanged: stack \"ops\" already current\n",
        brokkr(as(gen.pak()), "apply", "-f", folder.toString(), "--stack", "ops", "--generator", gen.id()).ok().out());

    var other = fx.generator();
    String mismatch = brokkr(as(gen.pak()), "apply", "-f", folder.toString(), "--stack", "ops", "--generator", other.id()).failure(1);
    assertTrue(mismatch.contains("not the generator of this PAK"), mismatch);
  }

  @Test
  void registerListAndDeregister() {
    var gen = fx.generator();
    var agent = fx.agent(List.of());
    String genName = broker.admin().get("/generators/" + gen.id()).bodyAsJsonObject().getString("name");
    Map<String, String> admin = as(broker.adminPak);

    Run reg = brokkr(admin, "register", "--agent", agent.id(), "--generator", genName).ok();
    assertTrue(reg.out().startsWith("registered agent " + agent.id() + " with generator \"" + genName + "\" (" + gen.id()
        + ") (registration "), reg.out());
    assertTrue(brokkr(admin, "register", "--agent", agent.id(), "--generator", gen.id()).failure(1)
        .startsWith("error: 409 already_registered: "));

    Run ofGen = brokkr(as(gen.pak()), "registrations", "--generator", gen.id()).ok();
    assertTrue(ofGen.out().startsWith("generator " + gen.id() + " has 1 registered agent(s):\n  agent " + agent.id()), ofGen.out());
    Run ofAgent = brokkr(as(agent.pak()), "registrations", "--agent", agent.id()).ok();
    assertTrue(ofAgent.out().contains("  generator " + gen.id() + "  (registered "), ofAgent.out());

    Run dereg = brokkr(admin, "deregister", "--agent", agent.id(), "--generator", gen.id()).ok();
    assertEquals("deregistered agent " + agent.id() + " from generator " + gen.id(), dereg.out().lines().findFirst().orElseThrow());
    assertEquals("generator " + gen.id() + " has no registered agents\n",
        brokkr(admin, "registrations", "--generator", gen.id()).ok().out());
  }

  @Test
  void flagsBeatTheEnvironmentWhichBeatsTheConfigFile() throws IOException {
    var gen = fx.generator();
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve(".brokkr"));
    Files.writeString(home.resolve(".brokkr").resolve("config"), "# client settings\nbroker_url = \"" + url + "/api/v1/\"\npak = \"" + gen.pak() + "\"\n");
    Map<String, String> fileOnly = Map.of("HOME", home.toString());
    assertEquals("generator " + gen.id() + " has no registered agents\n",
        brokkr(fileOnly, "registrations", "--generator", gen.id()).ok().out());

    Map<String, String> badEnv = Map.of("HOME", home.toString(), "BROKKR_PAK", "brokkr_BRxxxxxx_notavalidpak");
    assertTrue(brokkr(badEnv, "registrations", "--generator", gen.id()).failure(1).startsWith("error: 401 "));
    brokkr(badEnv, "--pak", gen.pak(), "registrations", "--generator", gen.id()).ok();
    Map<String, String> blankEnv = Map.of("HOME", home.toString(), "BROKKR_PAK", " ");
    brokkr(blankEnv, "registrations", "--generator", gen.id()).ok();

    Path other = dir.resolve("other.toml");
    Files.writeString(other, "broker_url = \"http://127.0.0.1:1\"\n");
    String unreachable = brokkr(Map.of("BROKKR_PAK", gen.pak()), "--config", other.toString(), "registrations", "--generator", gen.id()).failure(1);
    assertTrue(unreachable.startsWith("error: cannot reach the broker at http://127.0.0.1:1/api/v1"), unreachable);

    Files.writeString(other, "broker_url = \"unterminated\n");
    assertTrue(brokkr(Map.of(), "--config", other.toString(), "registrations", "--agent", gen.id()).failure(1)
        .startsWith("error: failed to parse config file " + other));
    assertEquals("error: no PAK: pass --pak, set BROKKR_PAK, or add `pak` to ~/.brokkr/config",
        brokkr(Map.of("BROKKR_BROKER_URL", url, "HOME", dir.resolve("empty-home").toString()), "registrations", "--agent", gen.id())
            .failure(1));
  }

  @Test
  void commandLineMistakesExitWithStatusTwo() {
    assertEquals(2, brokkr(Map.of(), "apply", "--stack", "x").code(), "-f missing");
    assertEquals(2, brokkr(Map.of(), "registrations").code());
    assertEquals(2, brokkr(Map.of(), "registrations", "--agent", "a", "--generator", "b").code());
    assertEquals(2, brokkr(Map.of(), "frobnicate").code());
    assertEquals(2, brokkr(Map.of(), "register", "--agent", "a", "--generator", "b", "--force", "x").code());
    assertFalse(brokkr(Map.of(), "--help").ok().out().isBlank());
  }
}
