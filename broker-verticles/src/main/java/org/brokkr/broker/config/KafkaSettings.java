package org.brokkr.broker.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.brokkr.codecs.config.Settings;

/**
 * The optional Kafka event stream ({@code kafka.*}). Off unless {@code kafka.bootstrap_servers} is
 * set; then every dispatched event is also published to {@code topic}, acknowledged by all in-sync
 * replicas before its outbox row counts as dispatched.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}, or empty: no stream, no producer
 * @param topic where events go ({@code brokkr.events})
 * @param clientId the producer's {@code client.id} (seen in the Kafka brokers' logs and quotas)
 * @param source the CloudEvents {@code ce_source} of every record
 * @param sendTimeoutMillis longest wait for the topic's metadata and for each record's acknowledgement
 * @param retryBackoffMaxMillis longest pause between retries while Kafka cannot take the events
 */
public record KafkaSettings(
    Optional<String> bootstrapServers,
    String topic,
    String clientId,
    String source,
    int sendTimeoutMillis,
    int retryBackoffMaxMillis) {

  public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap_servers";
  public static final String DEFAULT_TOPIC = "brokkr.events";
  public static final String DEFAULT_SOURCE = "/brokkr/broker";
  /** Kafka's own rule for topic names (and a safe one for client ids). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9._-]+):([0-9]{1,5})");

  public static KafkaSettings from(Settings s) {
    return new KafkaSettings(
        bootstrapServers(s),
        name(s, "kafka.topic", DEFAULT_TOPIC),
        name(s, "kafka.client_id", "brokkr-broker"),
        source(s),
        s.integer("kafka.send_timeout_ms", 30_000, 1_000, 300_000),
        s.integer("kafka.retry_backoff_max_ms", 30_000, 100, 600_000));
  }

  /** True when events are published to Kafka. */
  public boolean enabled() {
    return bootstrapServers.isPresent();
  }

  /** Unset or blank: off. Otherwise a comma-separated list of {@code host:port}, ports 1-65535. */
  private static Optional<String> bootstrapServers(Settings s) {
    Optional<String> raw = s.nonBlank(BOOTSTRAP_SERVERS);
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    List<String> servers = new ArrayList<>();
    for (String item : raw.get().split(",", -1)) {
      String server = item.trim();
      Matcher m = HOST_PORT.matcher(server);
      if (!m.matches()) {
        throw s.invalid(BOOTSTRAP_SERVERS, raw.get(), "must be a comma-separated list of host:port, got '" + server + "'");
      }
      int port = Integer.parseInt(m.group(2));
      if (port < 1 || port > 65535) {
        throw s.invalid(BOOTSTRAP_SERVERS, raw.get(), "port of '" + server + "' must be between 1 and 65535");
      }
      servers.add(server);
    }
    return Optional.of(String.join(",", servers));
  }

  private static String name(Settings s, String key, String fallback) {
    String value = s.string(key, fallback).trim();
    if (!NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
      throw s.invalid(key, value, "must be 1 to 249 characters of A-Z, a-z, 0-9, '.', '_' or '-' (and not '.' or '..')");
    }
    return value;
  }

  /** A URI reference, as CloudEvents requires of {@code source}. */
  private static String source(Settings s) {
    String value = s.string("kafka.source", DEFAULT_SOURCE).trim();
    try {
      if (value.isEmpty()) {
        throw new URISyntaxException(value, "empty");
      }
      new URI(value);
    } catch (URISyntaxException e) {
      throw s.invalid("kafka.source", value, "must be a non-empty URI reference such as /brokkr/broker");
    }
    return value;
  }
}
