package org.brokkr.agent.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.brokkr.agent.cluster.ApiServerEndpoint.Origin;
import org.junit.jupiter.api.Test;

/**
 * What an operator reads when the API server cannot be reached: the address tried, where it came
 * from, the root cause under the client's generic wrapper, and what to change.
 */
class ApiServerEndpointTest {
  private static final String DEFAULT_URL = "https://kubernetes.default.svc/";

  /** The shape the Kubernetes client produces: a generic message around the I/O failure. */
  private static RuntimeException wrapped(Throwable root) {
    return new ClusterCallException(0, null, "An error has occurred.",
        new RuntimeException("An error has occurred.", new IOException(root.getMessage(), root)));
  }

  @Test
  void tellsWhereTheAddressCameFrom() {
    Map<String, String> inPod = Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "443");
    assertEquals(Origin.KUBECONFIG_SETTING, ApiServerEndpoint.detect("u", Optional.of("/k"), "/k", inPod).origin());
    assertEquals(Origin.KUBECONFIG_FOUND, ApiServerEndpoint.detect("u", Optional.empty(), "/home/x/.kube/config", inPod).origin());
    assertEquals(Origin.IN_CLUSTER, ApiServerEndpoint.detect("u", Optional.empty(), null, inPod).origin());
    assertEquals(Origin.MASTER_VARIABLE, ApiServerEndpoint.detect("u", Optional.of("/k"), "/k",
        Map.of("KUBERNETES_MASTER", "https://elsewhere")).origin(), "KUBERNETES_MASTER overrides every other source");
    assertEquals(Origin.CLIENT_DEFAULT, ApiServerEndpoint.detect(DEFAULT_URL, Optional.empty(), null, Map.of()).origin());
  }

  @Test
  void noKubeconfigOutsideAClusterNamesTheDefaultAddressTheUnknownHostAndTheSetting() {
    ApiServerEndpoint endpoint = ApiServerEndpoint.detect(DEFAULT_URL, Optional.empty(), null, Map.of());
    ClusterCallException e = endpoint.failure(wrapped(new UnknownHostException(
        "Failed to resolve 'kubernetes.default.svc' [A(1), AAAA(28)] after 2 queries")));
    assertEquals("Kubernetes API at https://kubernetes.default.svc/ (the client's default: no BROKKR__AGENT__KUBECONFIG_PATH,"
        + " no kubeconfig found and not in a cluster): unknown host kubernetes.default.svc", e.getMessage());
    assertEquals("set BROKKR__AGENT__KUBECONFIG_PATH to a kubeconfig for the cluster, or run the agent inside the cluster", e.hint());
    assertEquals(0, e.status());
  }

  @Test
  void aRefusedConnectionNamesTheKubeconfigAndItsSetting() {
    ApiServerEndpoint endpoint = ApiServerEndpoint.detect("https://127.0.0.1:6443/", Optional.of("/etc/k/config"), "/etc/k/config", Map.of());
    ClusterCallException e = endpoint.failure(wrapped(new ConnectException("Connection refused")));
    assertEquals("Kubernetes API at https://127.0.0.1:6443/ (from kubeconfig /etc/k/config, named by BROKKR__AGENT__KUBECONFIG_PATH):"
        + " connection refused", e.getMessage());
    assertEquals("check that the server in /etc/k/config is reachable from here", e.hint());
  }

  @Test
  void aTimeoutIsCalledOneWhateverTypeSignalsIt() {
    ApiServerEndpoint endpoint = new ApiServerEndpoint("https://h/", Origin.GIVEN, null);
    assertEquals("Kubernetes API at https://h/ (as configured): timed out",
        endpoint.failure(wrapped(new java.net.SocketTimeoutException("Read timed out"))).getMessage());
    assertEquals("Kubernetes API at https://h/ (as configured): timed out",
        endpoint.failure(wrapped(new IllegalStateException("The timeout period of 10000ms has been exceeded"))).getMessage());
  }

  @Test
  void aCertificateProblemShowsTheValidatorsWordsAndPointsAtTheCertificateAuthority() {
    ApiServerEndpoint endpoint = ApiServerEndpoint.detect("https://10.0.0.1:443/", Optional.empty(), null,
        Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "443"));
    Throwable handshake = new SSLHandshakeException("Failed to create SSL connection")
        .initCause(new IllegalStateException("unable to find valid certification path to requested target"));
    ClusterCallException e = endpoint.failure(wrapped(handshake));
    assertEquals("Kubernetes API at https://10.0.0.1:443/ (in-cluster, from KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT):"
        + " TLS handshake failed (unable to find valid certification path to requested target)", e.getMessage());
    assertEquals("check the pod's service account (token and ca.crt)", e.hint());
  }

  @Test
  void anAnswerFromTheServerKeepsItsStatus() {
    ApiServerEndpoint endpoint = ApiServerEndpoint.detect("https://h/", Optional.of("/k"), "/k", Map.of());
    ClusterCallException e = endpoint.failure(new ClusterCallException(401, "Unauthorized", "Unauthorized", null));
    assertEquals(401, e.status());
    assertEquals("Kubernetes API at https://h/ (from kubeconfig /k, named by BROKKR__AGENT__KUBECONFIG_PATH): the API server answered 401:"
        + " Unauthorized", e.getMessage());
    assertEquals("check the credentials in /k", e.hint());
  }

  @Test
  void aConfigurationGivenInCodeGetsNoHint() {
    ClusterCallException e = new ApiServerEndpoint("https://h/", Origin.GIVEN, null).failure(wrapped(new ConnectException("Connection refused")));
    assertEquals("Kubernetes API at https://h/ (as configured): connection refused", e.getMessage());
    assertNull(e.hint());
  }
}
