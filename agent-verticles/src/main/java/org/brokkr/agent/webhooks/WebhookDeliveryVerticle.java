package org.brokkr.agent.webhooks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.brokkr.agent.AgentConfig;
import org.brokkr.agent.AgentMetrics;
import org.brokkr.agent.AgentRuntime;
import org.brokkr.agent.PassTimer;
import org.brokkr.agent.broker.BrokerClient;
import org.brokkr.codecs.webhooks.WebhookPoster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook timer: every {@code webhooks_interval} (10 s) the agent claims the deliveries whose
 * subscription's target labels it carries (at most 10), posts them from inside its cluster with
 * the reference's {@code X-Brokkr-*} headers, and reports each result.
 *
 * <p>A claim is held for this agent for at least the subscription's timeout plus 30 s. The batch is
 * posted in parallel, and a post that could not start within {@link ClaimWindow#START_WITHIN_MILLIS}
 * of the claim is not started at all (its claim runs out and it is handed out again), so a post
 * always ends before its claim does and a slow receiver never gets the same delivery twice from
 * two holders. Nothing happens while the agent is not ACTIVE. URLs and auth headers never reach a
 * log line.
 */
public final class WebhookDeliveryVerticle extends PassTimer {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliveryVerticle.class);
  /** Connections per receiver: a full batch can be in flight at once. */
  private static final int CONNECTIONS_PER_RECEIVER = 10;

  private final AgentConfig config;
  private final AgentRuntime runtime;
  private final AgentMetrics metrics;
  private final BrokerClient broker;
  private WebhookPoster poster;
  private boolean brokerFailing;

  public WebhookDeliveryVerticle(AgentConfig config, AgentRuntime runtime, AgentMetrics metrics, BrokerClient broker) {
    this.config = config;
    this.runtime = runtime;
    this.metrics = metrics;
    this.broker = broker;
  }

  @Override
  protected void prepare() {
    poster = new WebhookPoster(vertx, CONNECTIONS_PER_RECEIVER);
  }

  @Override
  protected void release() {
    poster.close();
  }

  @Override
  protected long intervalMillis() {
    return config.webhooksIntervalSeconds() * 1000L;
  }

  @Override
  protected Future<Void> pass() {
    if (!runtime.active()) {
      return Future.succeededFuture();
    }
    UUID agentId = runtime.agentId();
    return broker.pendingWebhooks(agentId)
        .compose(pending -> {
          ClaimWindow window = ClaimWindow.openedNow();
          if (brokerFailing) {
            brokerFailing = false;
            LOG.info("pending webhook deliveries can be read again");
          }
          List<Future<Void>> all = new ArrayList<>();
          for (ClaimedDelivery d : ClaimedDelivery.parse(pending, LOG)) {
            all.add(deliver(d, window));
          }
          return Future.join(all).<Void>mapEmpty();
        })
        .recover(err -> {
          if (!brokerFailing) {
            brokerFailing = true;
            LOG.warn("cannot read pending webhook deliveries error={}", err.getMessage());
          }
          return Future.succeededFuture();
        });
  }

  private Future<Void> deliver(ClaimedDelivery d, ClaimWindow window) {
    if (!window.mayStart()) {
      metrics.webhookDelivery("not_started");
      LOG.warn("webhook delivery not started: its claim is too old delivery_id={} event_type={}", d.id(), d.eventType());
      return Future.succeededFuture();
    }
    long started = System.nanoTime();
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("X-Brokkr-Event-Type", d.eventType());
    extra.put("X-Brokkr-Delivery-Id", d.id().toString());
    extra.putAll(d.signatureHeaders());
    return poster.post(d.url(), WebhookPoster.headers(d.authHeader(), extra), d.payload(), d.timeoutSeconds())
        .recover(err -> Future.succeededFuture(new WebhookPoster.Outcome(0, null, WebhookPoster.reason(err, d.timeoutSeconds()))))
        .compose(outcome -> report(d, outcome, (System.nanoTime() - started) / 1_000_000));
  }

  private Future<Void> report(ClaimedDelivery d, WebhookPoster.Outcome outcome, long durationMs) {
    JsonObject result = new JsonObject().put("success", outcome.delivered()).put("duration_ms", durationMs);
    if (outcome.status() > 0) {
      result.put("status_code", outcome.status());
    }
    if (!outcome.delivered()) {
      result.put("error", outcome.agentErrorText());
    }
    return broker.reportWebhookDelivery(d.id(), result)
        .map(v -> {
          metrics.webhookDelivery(outcome.delivered() ? "success" : "failed");
          if (outcome.delivered()) {
            LOG.debug("webhook delivered delivery_id={} event_type={} status={} duration_ms={}",
                d.id(), d.eventType(), outcome.status(), durationMs);
          } else {
            LOG.info("webhook delivery failed delivery_id={} event_type={} status={} duration_ms={}",
                d.id(), d.eventType(), outcome.status(), durationMs);
          }
          return (Void) null;
        })
        .recover(err -> {
          // the claim runs out and the broker hands the delivery out again
          metrics.webhookDelivery("report_failed");
          LOG.warn("cannot report a webhook delivery result delivery_id={} error={}", d.id(), err.getMessage());
          return Future.succeededFuture();
        });
  }

  /** When a claimed batch was handed to us, and whether a post may still start. */
  record ClaimWindow(long claimedAtNanos) {
    /**
     * The latest a post may start after its claim: the broker holds a claim for its timeout plus
     * 30 s (and at least its claim TTL), so a post started within 20 s ends while it is still ours.
     */
    static final long START_WITHIN_MILLIS = 20_000;

    static ClaimWindow openedNow() {
      return new ClaimWindow(System.nanoTime());
    }

    boolean mayStart() {
      return (System.nanoTime() - claimedAtNanos) / 1_000_000 <= START_WITHIN_MILLIS;
    }
  }

  /** One {@code PendingWebhookDelivery} as the broker hands it out. */
  record ClaimedDelivery(UUID id, String eventType, String payload, String url, String authHeader,
      int timeoutSeconds, Map<String, String> signatureHeaders) {

    static List<ClaimedDelivery> parse(JsonArray pending, Logger log) {
      List<ClaimedDelivery> out = new ArrayList<>();
      for (Object o : pending) {
        if (!(o instanceof JsonObject j)) {
          continue;
        }
        try {
          Map<String, String> signature = new LinkedHashMap<>();
          JsonObject sig = j.getJsonObject("signature_headers");
          if (sig != null) {
            sig.forEach(e -> signature.put(e.getKey(), String.valueOf(e.getValue())));
          }
          out.add(new ClaimedDelivery(UUID.fromString(j.getString("id")), j.getString("event_type", ""),
              j.getString("payload", ""), j.getString("url"), j.getString("auth_header"),
              j.getInteger("timeout_seconds", 30), Map.copyOf(signature)));
        } catch (RuntimeException e) {
          log.warn("ignoring a malformed pending webhook delivery: {}", e.getClass().getSimpleName());
        }
      }
      return out;
    }
  }
}
