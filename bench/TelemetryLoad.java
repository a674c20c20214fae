import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The telemetry uplink under load: registers AGENTS agents through the REST API (one generator,
 * each agent with its own PAK and a stack targeted at it), opens one live-channel socket per
 * agent and sends RATE telemetry frames per second from each (k8s_event and pod_log_line in
 * turn) for SECONDS seconds. Prints one JSON line: frames sent, send errors, sockets the broker
 * closed during the run.
 *
 * Usage: java -cp CLASSPATH bench/TelemetryLoad.java PORT ADMIN_PAK AGENTS RATE SECONDS
 */
public class TelemetryLoad {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String admin = args[1];
    int agents = Integer.parseInt(args[2]);
    int rate = Integer.parseInt(args[3]);
    int seconds = Integer.parseInt(args[4]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    HttpClient http = vertx.createHttpClient();
    JsonObject gen = post(http, port, admin, "/api/v1/generators", new JsonObject().put("name", "bench-" + System.nanoTime()));
    String genId = gen.getJsonObject("generator").getString("id");
    String genPak = gen.getString("pak");
    List<String[]> registered = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      JsonObject agent = post(http, port, admin, "/api/v1/agents", new JsonObject().put("name", "bench-agent-" + i)
          .put("cluster_name", "bench").put("generator_ids", new JsonArray().add(genId)));
      String agentId = agent.getJsonObject("agent").getString("id");
      String stack = post(http, port, genPak, "/api/v1/stacks", new JsonObject().put("name", "bench-stack-" + i)
          .put("generator_id", genId)).getString("id");
      post(http, port, admin, "/api/v1/agents/" + agentId + "/targets", new JsonObject().put("agent_id", agentId).put("stack_id", stack));
      registered.add(new String[] {agentId, agent.getString("initial_pak"), stack});
    }
    System.err.println("registered " + agents + " agents");
    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(agents + 10));
    AtomicLong sent = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong dropped = new AtomicLong();
    List<WebSocket> sockets = new ArrayList<>();
    for (String[] r : registered) {
      WebSocket s = ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/internal/ws/agent")
          .putHeader("Authorization", "Bearer " + r[1])).await(60, TimeUnit.SECONDS);
      sockets.add(s);
    }
    System.err.println("connected " + sockets.size() + " sockets");
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long[] stopping = {0};
    List<Long> timers = new ArrayList<>();
    for (int i = 0; i < sockets.size(); i++) {
      WebSocket s = sockets.get(i);
      String[] r = registered.get(i);
      s.closeHandler(v -> {
        if (stopping[0] == 0) {
          dropped.incrementAndGet();
        }
      });
      long[] n = {0};
      long phase = 1 + ThreadLocalRandom.current().nextLong(1000 / rate);
      timers.add(vertx.setPeriodic(phase, 1000 / rate, id -> {
        if (s.isClosed() || System.nanoTime() > end) {
          return;
        }
        String frame = (n[0]++ % 2 == 0 ? event(r[0], r[2]) : logLine(r[0], r[2], n[0])).encode();
        s.writeTextMessage(frame).onComplete(ar -> (ar.succeeded() ? sent : errors).incrementAndGet());
      }));
    }
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()) + 500);
    double elapsed = (System.nanoTime() - start) / 1e9;
    stopping[0] = 1;
    timers.forEach(vertx::cancelTimer);
    Thread.sleep(2000);
    Future.all(sockets.stream().map(s -> s.close()).toList()).await(30, TimeUnit.SECONDS);
    System.out.println(new JsonObject().put("agents", agents).put("rate_per_agent", rate).put("seconds", seconds)
        .put("sent", sent.get()).put("send_errors", errors.get()).put("dropped_connections", dropped.get())
        .put("sent_per_second", Math.round(sent.get() / Math.min(elapsed, seconds))).encode());
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static JsonObject post(HttpClient http, int port, String pak, String path, JsonObject body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path)
        .putHeader("Authorization", "Bearer " + pak).putHeader("Content-Type", "application/json");
    var answer = http.request(options).compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(b -> new Object[] {resp.statusCode(), b.toString()})).await(60, TimeUnit.SECONDS);
    int status = (Integer) answer[0];
    String text = (String) answer[1];
    if (status / 100 != 2) {
      throw new IllegalStateException(path + " " + status + " " + text);
    }
    return text.isEmpty() ? new JsonObject() : new JsonObject(text);
  }

  private static JsonObject event(String agent, String stack) {
    return new JsonObject().put("type", "k8s_event").put("body", new JsonObject().put("agent_id", agent).put("stack_id", stack)
        .put("observed_at", Instant.now().toString()).put("reason", "Pulled").put("message", "Successfully pulled image")
        .put("event_type", "Normal").put("source", "kubelet").put("involved_object", new JsonObject().put("api_version", "v1")
            .put("kind", "Pod").put("namespace", "bench").put("name", "bench-pod").put("uid", agent)));
  }

  private static JsonObject logLine(String agent, String stack, long n) {
    return new JsonObject().put("type", "pod_log_line").put("body", new JsonObject().put("agent_id", agent).put("stack_id", stack)
        .put("namespace", "bench").put("pod", "bench-pod").put("container", "app").put("ts", Instant.now().toString())
        .put("line", "GET /healthz 200 line " + n + " of a busy application's log"));
  }
}
