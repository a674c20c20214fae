// Push propagation: a deployment object created over REST -> the stack_changed frame at the agent.
// Run by bench/push.sh as a single source file (JDK only):
//   java bench/PushPropagation.java BASE_A BASE_B ADMIN_PAK AGENTS SAMPLES
// Seeds AGENTS agents through broker A's API (ACTIVE, each with its own PAK and one explicitly
// targeted stack), opens every agent's socket on A, measures SAMPLES creations one at a time (a
// random agent's stack each), then reopens the sockets on broker B (when BASE_B is not "-") and
// measures again with the creations still made through A.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class PushPropagation {
  static final HttpClient HTTP = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
  static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
  static final Pattern PAK = Pattern.compile("\"(?:pak|initial_pak)\"\\s*:\\s*\"([^\"]+)\"");
  static final Pattern STACK_CHANGED = Pattern.compile("^\\{\"type\":\"stack_changed\",\"body\":\\{\"id\":\"([0-9a-f-]{36})\"");

  record Agent(String id, String pak, String stack) {}

  /** Frames awaited, by stack id: completed with the arrival time. */
  static final Map<String, CompletableFuture<Long>> awaited = new ConcurrentHashMap<>();

  public static void main(String[] args) throws Exception {
    String a = args[0];
    String b = args[1];
    String admin = args[2];
    int agents = Integer.parseInt(args[3]);
    int samples = Integer.parseInt(args[4]);
    String gen = call(a, admin, "POST", "/generators", "{\"name\":\"push-bench-" + System.nanoTime() + "\"}");
    String genId = first(ID, gen);
    String genPak = first(PAK, gen);
    List<Agent> seeded = seed(a, admin, genId, genPak, agents);
    measure("one broker", a, a, seeded, genPak, samples);
    if (!"-".equals(b)) {
      measure("two brokers, sockets on the other replica", a, b, seeded, genPak, samples);
    }
    System.exit(0);
  }

  static List<Agent> seed(String base, String admin, String genId, String genPak, int n) throws Exception {
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Agent>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      futures.add(pool.submit(() -> {
        String created = call(base, admin, "POST", "/agents",
            "{\"name\":\"push-agent-" + k + "-" + System.nanoTime() + "\",\"cluster_name\":\"bench\",\"generator_ids\":[\"" + genId + "\"]}");
        String id = first(ID, created);
        String pak = first(PAK, created);
        call(base, admin, "PUT", "/agents/" + id, "{\"status\":\"ACTIVE\"}");
        String stack = first(ID, call(base, genPak, "POST", "/stacks",
            "{\"name\":\"push-stack-" + k + "-" + System.nanoTime() + "\",\"generator_id\":\"" + genId + "\"}"));
        call(base, admin, "POST", "/agents/" + id + "/targets", "{\"agent_id\":\"" + id + "\",\"stack_id\":\"" + stack + "\"}");
        return new Agent(id, pak, stack);
      }));
    }
    List<Agent> out = new ArrayList<>();
    for (Future<Agent> f : futures) {
      out.add(f.get());
    }
    pool.shutdown();
    System.out.printf("seeded %d agents in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    return out;
  }

  static void measure(String label, String rest, String live, List<Agent> agents, String genPak, int samples) throws Exception {
    List<WebSocket> sockets = new ArrayList<>();
    long t0 = System.nanoTime();
    for (Agent agent : agents) {
      sockets.add(HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + agent.pak())
          .buildAsync(URI.create(live.replace("http", "ws") + "/internal/ws/agent"), new Listener()).get(30, TimeUnit.SECONDS));
    }
    System.out.printf("%s: %d sockets open in %.1f s%n", label, sockets.size(), (System.nanoTime() - t0) / 1e9);
    Thread.sleep(1000);
    Random random = new Random(42);
    int warmup = Math.min(50, samples / 10);
    long[] fromCreated = new long[samples];
    long[] fromSent = new long[samples];
    int early = 0;
    int lost = 0;
    int n = 0;
    for (int i = 0; i < warmup + samples; i++) {
      Agent agent = agents.get(random.nextInt(agents.size()));
      CompletableFuture<Long> frame = new CompletableFuture<>();
      awaited.put(agent.stack(), frame);
      long sent = System.nanoTime();
      call(rest, genPak, "POST", "/stacks/" + agent.stack() + "/deployment-objects",
          "{\"yaml_content\":\"apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: cm-" + i + "\\n  namespace: default\\n\"}");
      long created = System.nanoTime();
      long arrived;
      try {
        arrived = frame.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        lost++;
        awaited.remove(agent.stack());
        continue;
      }
      if (i < warmup) {
        continue;
      }
      if (arrived < created) {
        early++;
      }
      fromCreated[n] = Math.max(0, arrived - created);
      fromSent[n] = arrived - sent;
      n++;
    }
    fromCreated = Arrays.copyOf(fromCreated, n);
    fromSent = Arrays.copyOf(fromSent, n);
    System.out.printf("%s: %d samples (after %d warm-up), %d lost, %d frames before the 201 was read%n", label, n, warmup, lost, early);
    System.out.printf("  201 -> frame:     p50 %s  p90 %s  p99 %s  max %s%n", pct(fromCreated, 50), pct(fromCreated, 90),
        pct(fromCreated, 99), pct(fromCreated, 100));
    System.out.printf("  request -> frame: p50 %s  p90 %s  p99 %s  max %s%n", pct(fromSent, 50), pct(fromSent, 90),
        pct(fromSent, 99), pct(fromSent, 100));
    for (WebSocket s : sockets) {
      s.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
    Thread.sleep(2000);
  }

  static String pct(long[] values, int p) {
    if (values.length == 0) {
      return "-";
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    return String.format("%.2f ms", sorted[Math.max(0, index)] / 1e6);
  }

  static final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      long now = System.nanoTime();
      text.append(data);
      if (last) {
        Matcher m = STACK_CHANGED.matcher(text);
        if (m.find()) {
          CompletableFuture<Long> f = awaited.remove(m.group(1));
          if (f != null) {
            f.complete(now);
          }
        }
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  static String call(String base, String pak, String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path))
        .header("Authorization", "Bearer " + pak).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  static String first(Pattern p, String body) {
    Matcher m = p.matcher(body);
    if (!m.find()) {
      throw new IllegalStateException("not found in " + body);
    }
    return m.group(1);
  }
}
