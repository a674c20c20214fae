package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.brokkr.agent.testing.KubeApiServer;
import org.brokkr.codecs.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Startup with {@code BROKKR__AGENT__KUBECONFIG_PATH}: a file that cannot be used stops it with one
 * line saying what is wrong, which setting named the file and what to do; a server that cannot be
 * reached is reported with its address, where that came from and the root cause.
 */
@ExtendWith(KubeApiServer.Extension.class)
class Fabric8ClusterOpsConnectTest {
  private static final String ADVICE = "; point it at a readable kubeconfig, or unset it to use the in-cluster service account"
      + " (or KUBECONFIG / ~/.kube/config)";

  @TempDir
  Path dir;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private String refusal(Path kubeconfig) {
    return assertThrows(ConfigException.class, () -> Fabric8ClusterOps.connect(vertx, Optional.of(kubeconfig.toString()),
        Optional.empty(), RetryPolicy.NONE, Map.of())).getMessage();
  }

  @Test
  void aMissingFileSaysSoAndNamesTheSetting() {
    Path missing = dir.resolve("nope/config");
    assertEquals("kubeconfig not found: " + missing + " (BROKKR__AGENT__KUBECONFIG_PATH)" + ADVICE, refusal(missing));
  }

  @Test
  void aDirectoryIsNotReadableAsAKubeconfig() {
    assertTrue(refusal(dir).startsWith("kubeconfig not readable: " + dir + " (BROKKR__AGENT__KUBECONFIG_PATH): "), refusal(dir));
  }

  @Test
  void filesThatAreNoKubeconfigAreRefusedBeforeAnyCall() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertEquals("not a kubeconfig: " + empty + " (BROKKR__AGENT__KUBECONFIG_PATH): the file is empty" + ADVICE, refusal(empty));
    Path other = Files.writeString(dir.resolve("other.yaml"), "greeting: hello\n");
    assertEquals("not a kubeconfig: " + other + " (BROKKR__AGENT__KUBECONFIG_PATH): it names no current-context" + ADVICE,
        refusal(other));
    for (String content : new String[] {"[unclosed: {\n", "just-a-word\n", "- a\n- b\n"}) {
      Path garbage = Files.writeString(dir.resolve("garbage"), content);
      String message = refusal(garbage);
      assertTrue(message.startsWith("not a kubeconfig: " + garbage + " (BROKKR__AGENT__KUBECONFIG_PATH): "), message);
      assertEquals(1, message.lines().count(), "one line: " + message);
    }
  }

  @Test
  void aMissingClientCertificateIsNamedAsAMissingFile() throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("config"), """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
        users: [{name: u, user: {client-certificate: %1$s/absent.crt, client-key: %1$s/absent.key}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """.formatted(dir));
    assertEquals("kubeconfig not usable: " + kubeconfig + " (BROKKR__AGENT__KUBECONFIG_PATH): file not found: " + dir
        + "/absent.crt" + ADVICE, refusal(kubeconfig));
  }

  @Test
  void anUntrustedServerCertificateIsReportedWithTheAddressTheKubeconfigAndTheFix(KubeApiServer apiServer) throws Exception {
    String server = apiServer.config().getMasterUrl();
    Path kubeconfig = Files.writeString(dir.resolve("no-ca"), """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "%s"}}]
        users: [{name: u, user: {token: not-a-token}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """.formatted(server));
    Fabric8ClusterOps ops = Fabric8ClusterOps.connect(vertx, Optional.of(kubeconfig.toString()), Optional.empty(),
        RetryPolicy.NONE, Map.of());
    try {
      var probe = ops.probe();
      try {
        probe.await(60, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // inspected below
      }
      ClusterCallException e = (ClusterCallException) probe.cause();
      assertTrue(e.getMessage().startsWith("Kubernetes API at " + server + " (from kubeconfig " + kubeconfig
          + ", named by BROKKR__AGENT__KUBECONFIG_PATH): TLS handshake failed ("), e.getMessage());
      assertEquals("check that the certificate authority in " + kubeconfig + " is the one of that API server", e.hint());
    } finally {
      ops.close();
    }
  }
}
