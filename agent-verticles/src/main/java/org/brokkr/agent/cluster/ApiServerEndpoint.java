package org.brokkr.agent.cluster;

import java.io.FileNotFoundException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The API server the agent talks to and where that address came from, so that a failed call can
 * say what was tried, why it failed and what to change. No Kubernetes client types: the messages
 * are built from plain exceptions and settings.
 */
public record ApiServerEndpoint(String url, Origin origin, String file) {
  private static final String KUBECONFIG_SETTING = KubeconfigFile.SETTING;

  /** Where the address came from. */
  public enum Origin {
    /** The kubeconfig named by {@link KubeconfigFile#SETTING}. */
    KUBECONFIG_SETTING,
    /** A kubeconfig found by the client itself ({@code KUBECONFIG} or {@code ~/.kube/config}). */
    KUBECONFIG_FOUND,
    /** The pod's service account ({@code KUBERNETES_SERVICE_HOST}/{@code _PORT}). */
    IN_CLUSTER,
    /** {@code KUBERNETES_MASTER} (or the {@code kubernetes.master} system property), which wins over the rest. */
    MASTER_VARIABLE,
    /** Nothing configured: the client's built-in address. */
    CLIENT_DEFAULT,
    /** A configuration handed over in code (tests, embedding). */
    GIVEN
  }

  /**
   * Which origin produced {@code url} after the client's own auto-configuration: {@code foundFile}
   * is the kubeconfig it read (null when none), {@code env} the process environment.
   */
  public static ApiServerEndpoint detect(String url, Optional<String> settingFile, String foundFile, Map<String, String> env) {
    if (present(System.getProperty("kubernetes.master")) || present(env.get("KUBERNETES_MASTER"))) {
      return new ApiServerEndpoint(url, Origin.MASTER_VARIABLE, null);
    }
    if (settingFile.isPresent()) {
      return new ApiServerEndpoint(url, Origin.KUBECONFIG_SETTING, settingFile.get());
    }
    if (foundFile != null) {
      return new ApiServerEndpoint(url, Origin.KUBECONFIG_FOUND, foundFile);
    }
    if (present(env.get("KUBERNETES_SERVICE_HOST")) && present(env.get("KUBERNETES_SERVICE_PORT"))) {
      return new ApiServerEndpoint(url, Origin.IN_CLUSTER, null);
    }
    return new ApiServerEndpoint(url, Origin.CLIENT_DEFAULT, null);
  }

  /** Where the address came from, as a phrase. */
  public String source() {
    return switch (origin) {
      case KUBECONFIG_SETTING -> "from kubeconfig " + file + ", named by " + KUBECONFIG_SETTING;
      case KUBECONFIG_FOUND -> "from kubeconfig " + file + ", found through KUBECONFIG or ~/.kube/config";
      case IN_CLUSTER -> "in-cluster, from KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT";
      case MASTER_VARIABLE -> "from KUBERNETES_MASTER";
      case CLIENT_DEFAULT -> "the client's default: no " + KUBECONFIG_SETTING + ", no kubeconfig found and not in a cluster";
      case GIVEN -> "as configured";
    };
  }

  /** A failed call to this server: what was tried, the root cause, and (as the hint) what to do. */
  public ClusterCallException failure(Throwable err) {
    int status = err instanceof ClusterCallException c ? c.status() : 0;
    Cause cause = status > 0 ? Cause.ANSWERED : classify(err);
    String what = switch (cause) {
      case UNKNOWN_HOST -> "unknown host " + host();
      case REFUSED -> "connection refused";
      case TIMEOUT -> "timed out";
      case TLS -> "TLS handshake failed (" + deepestMessage(err) + ")";
      case ANSWERED -> "the API server answered " + status + ": " + err.getMessage();
      case OTHER -> rootCause(err);
    };
    String reason = err instanceof ClusterCallException c ? c.reason() : null;
    return new ClusterCallException(status, reason, "Kubernetes API at " + url + " (" + source() + "): " + what, err, hint(cause));
  }

  private enum Cause { UNKNOWN_HOST, REFUSED, TIMEOUT, TLS, ANSWERED, OTHER }

  private String hint(Cause cause) {
    boolean network = cause != Cause.TLS && cause != Cause.ANSWERED;
    return switch (origin) {
      case KUBECONFIG_SETTING, KUBECONFIG_FOUND -> network ? "check that the server in " + file + " is reachable from here"
          : cause == Cause.TLS ? "check that the certificate authority in " + file + " is the one of that API server"
          : "check the credentials in " + file;
      case IN_CLUSTER -> network ? "check the pod's network access to the API server"
          : "check the pod's service account (token and ca.crt)";
      case MASTER_VARIABLE -> "check KUBERNETES_MASTER, or unset it";
      case CLIENT_DEFAULT -> "set " + KUBECONFIG_SETTING + " to a kubeconfig for the cluster, or run the agent inside the cluster";
      case GIVEN -> null;
    };
  }

  private String host() {
    try {
      String host = URI.create(url).getHost();
      return host == null ? url : host;
    } catch (IllegalArgumentException e) {
      return url;
    }
  }

  private static Cause classify(Throwable err) {
    boolean timeoutMentioned = false;
    for (Throwable t = err; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      timeoutMentioned |= m.contains("timed out") || m.contains("timeout");
      if (t instanceof UnknownHostException) {
        return Cause.UNKNOWN_HOST;
      }
      if (t instanceof SSLException || t instanceof CertificateException) {
        return Cause.TLS;
      }
      if (t instanceof SocketTimeoutException || t instanceof TimeoutException) {
        return Cause.TIMEOUT;
      }
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return m.contains("refused") ? Cause.REFUSED : m.contains("timed out") ? Cause.TIMEOUT : Cause.OTHER;
      }
    }
    // some clients signal a request timeout with their own exception type
    return timeoutMentioned ? Cause.TIMEOUT : Cause.OTHER;
  }

  /**
   * The root cause in a few words: a missing or unreadable file says so (its exception's message is
   * only the path), anything else is the first line of the innermost message (the outer ones only
   * wrap it).
   */
  static String rootCause(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException || t instanceof FileNotFoundException) {
        return "file not found: " + t.getMessage();
      }
      if (t instanceof AccessDeniedException) {
        return "permission denied: " + t.getMessage();
      }
    }
    return deepestMessage(err);
  }

  private static String deepestMessage(Throwable err) {
    String message = null;
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    if (message == null) {
      return err.getClass().getSimpleName();
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }
}
