package org.brokkr.agent.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.brokkr.broker.testing.TestVertx;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A real kube-apiserver for tests, from {@code scripts/k8s-test-env up} (which starts it when it
 * is not already running). A test gets it as a {@link KubeApiServer} parameter (with
 * {@link Extension}): a fabric8 config
 * and client with cluster-admin rights, and kubeconfigs for narrower identities. If the API server
 * cannot be started, the test fails: these tests are never skipped.
 */
public final class KubeApiServer {
  private static volatile Path adminKubeconfig;
  private static Vertx clientVertx;

  private final Path kubeconfig;

  private KubeApiServer(Path kubeconfig) {
    this.kubeconfig = kubeconfig;
  }

  /** Resolves {@link KubeApiServer} parameters: {@code @ExtendWith(KubeApiServer.Extension.class)}. */
  public static final class Extension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == KubeApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return new KubeApiServer(admin());
    }
  }

  /** The admin kubeconfig, starting the environment once per JVM. */
  public static synchronized Path admin() {
    if (adminKubeconfig == null) {
      adminKubeconfig = Path.of(run("up"));
    }
    return adminKubeconfig;
  }

  public Config config() {
    return configOf(kubeconfig);
  }

  public KubernetesClient client() {
    return clientOf(config());
  }

  /**
   * A client for test set-up and checks. They share one test Vert.x (daemon threads, never closed)
   * rather than each starting fabric8's own, whose blocked-thread checker warns on a busy machine.
   */
  public static KubernetesClient clientOf(Config config) {
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(clientVertx())).build();
  }

  private static synchronized Vertx clientVertx() {
    if (clientVertx == null) {
      clientVertx = Vertx.vertx(TestVertx.options().setUseDaemonThread(true));
    }
    return clientVertx;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** A kubeconfig for ServiceAccount {@code name} bound to exactly the roles in {@code roleManifest}. */
  public Path identity(String name, Path roleManifest) {
    return Path.of(run("kubeconfig", name, roleManifest.toAbsolutePath().toString()));
  }

  public static Config configOf(Path kubeconfig) {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + kubeconfig, e);
    }
  }

  /** Runs the script; returns the last line it printed on stdout. */
  public static String run(String... args) {
    Path script = repositoryRoot().resolve("scripts/k8s-test-env");
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(script.toString());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException("scripts/k8s-test-env " + String.join(" ", args) + " failed: " + out);
      }
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1].trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/k8s-test-env"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("scripts/k8s-test-env not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
