package io.messagingkit.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options and lifecycle every load scenario shares: connect devices to a running server, warm
 * up, measure for a fixed interval (counters, HdrHistogram latencies, throughput per second, client
 * and server CPU), then report, draw the chart, and (with {@code --processes N}) run N
 * load-generator processes and merge their results.
 */
abstract class ScenarioCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      defaultValue = "ws://127.0.0.1:8080/ws",
      description = "WebSocket URL of the server (default: ${DEFAULT-VALUE})")
  URI url;

  @Option(
      names = "--stats",
      defaultValue = "http://127.0.0.1:8081/stats",
      description = "the bench server's stats URL, or 'none' (default: ${DEFAULT-VALUE})")
  String stats;

  @Option(
      names = "--secret",
      defaultValue = Tokens.DEFAULT_SECRET,
      description = "HS256 secret shared with the server")
  String secret;

  @Option(
      names = "--sources",
      defaultValue = "4",
      description = "loopback source addresses 127.0.0.1..N (default: ${DEFAULT-VALUE})")
  int sources;

  @Option(
      names = "--client-threads",
      defaultValue = "8",
      description = "load-generator I/O threads (default: ${DEFAULT-VALUE})")
  int clientThreads;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      description = "seconds of warm-up before measuring (default: ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(
      names = "--duration",
      defaultValue = "20",
      description = "seconds measured (default: ${DEFAULT-VALUE})")
  int durationSeconds;

  @Option(
      names = "--processes",
      defaultValue = "1",
      description =
          "load-generator processes, each running the whole scenario with its own users"
              + " (default: ${DEFAULT-VALUE})")
  int processes;

  @Option(names = "--chart", description = "write a PNG chart of the run here")
  @Nullable Path chart;

  @Option(names = "--label", description = "the run's name in the report and chart")
  @Nullable String label;

  @Option(
      names = "--prefix",
      description = "user id prefix (default: random, so runs never share users)")
  @Nullable String prefix;

  @Option(names = "--result-file", hidden = true, description = "write the raw result here (JSON)")
  @Nullable Path resultFile;

  @Option(names = "--child", hidden = true, description = "run as a child of --processes")
  boolean child;

  @Option(
      names = "--connect-concurrency",
      defaultValue = "256",
      description = "handshakes in flight while connecting (default: ${DEFAULT-VALUE})")
  int connectConcurrency;

  Metrics metrics = new Metrics();
  @Nullable WsClient client;
  @Nullable Tokens tokens;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The scenario's name in results. */
  abstract String scenario();

  /** Runs the scenario in this process. */
  abstract RunResult runScenario() throws Exception;

  /** Called in the parent while child processes run (idle measures the server here). */
  void whileChildrenRun(List<Process> children, Map<String, Double> extra) throws Exception {}

  @Override
  public Integer call() throws Exception {
    validate();
    String runPrefix =
        prefix != null
            ? prefix
            : "b" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    RunResult result;
    if (processes > 1) {
      result = runChildren(runPrefix);
    } else {
      prefix = runPrefix;
      tokens = new Tokens(secret);
      client = new WsClient(url, sources, clientThreads);
      try {
        result = runScenario();
      } finally {
        client.close();
      }
    }
    String name = label != null ? label : scenario();
    PrintWriter out = spec.commandLine().getOut();
    if (!child) {
      out.print(Report.text(name, result));
      out.println(Report.markdownRow(name, result));
    }
    if (resultFile != null) {
      Files.write(resultFile, Json.MAPPER.writeValueAsBytes(result.toMap()));
    }
    if (chart != null) {
      Chart.write(chart, name, result);
      out.println("chart: " + chart);
    }
    out.flush();
    return 0;
  }

  /** Checks option values; throws IllegalArgumentException naming the bad one. */
  void validate() {
    positive("--sources", sources);
    if (sources > 254) {
      throw new IllegalArgumentException("--sources must be at most 254");
    }
    positive("--client-threads", clientThreads);
    positive("--duration", durationSeconds);
    positive("--processes", processes);
    positive("--connect-concurrency", connectConcurrency);
    if (warmupSeconds < 0) {
      throw new IllegalArgumentException("--warmup must not be negative");
    }
  }

  static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private RunResult runChildren(String runPrefix) throws Exception {
    Path dir = Files.createTempDirectory("messaging-bench");
    List<Process> children = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (int i = 0; i < processes; i++) {
      Path file = dir.resolve("result-" + i + ".json");
      files.add(file);
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.add("-XX:+UseParallelGC");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(BenchMain.class.getName());
      cmd.addAll(childArgs(BenchMain.originalArgs(), runPrefix + "p" + i, file));
      children.add(new ProcessBuilder(cmd).inheritIO().start());
    }
    Map<String, Double> extra = new HashMap<>();
    whileChildrenRun(children, extra);
    List<RunResult> parts = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      int code = children.get(i).waitFor();
      if (code != 0) {
        throw new IllegalStateException("load process " + i + " exited with " + code);
      }
      parts.add(
          RunResult.fromMap(
              Json.MAPPER.readValue(
                  files.get(i).toFile(), new TypeReference<Map<String, Object>>() {})));
    }
    RunResult merged = RunResult.merge(parts);
    merged.extra().putAll(extra);
    return merged;
  }

  /** The parent's arguments for child {@code i}: one process, its own prefix and result file. */
  static List<String> childArgs(String[] original, String childPrefix, Path resultFile) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < original.length; i++) {
      String a = original[i];
      if (a.equals("--processes")
          || a.equals("--prefix")
          || a.equals("--chart")
          || a.equals("--result-file")) {
        i++;
        continue;
      }
      if (a.startsWith("--processes=")
          || a.startsWith("--prefix=")
          || a.startsWith("--chart=")
          || a.startsWith("--result-file=")) {
        continue;
      }
      out.add(a);
    }
    out.add("--child");
    out.add("--processes=1");
    out.add("--prefix=" + childPrefix);
    out.add("--result-file=" + resultFile);
    return out;
  }

  // ------------------------------------------------------------------ helpers for scenarios

  /** A user id of this run. */
  String user(String role, int i) {
    return prefix + "-" + role + i;
  }

  /**
   * Opens {@code conns} (at most {@code --connect-concurrency} handshakes at a time) and waits for
   * every WELCOME.
   */
  void connectAll(List<Conn> conns) throws Exception {
    WsClient c = client();
    Tokens t = tokens();
    java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(connectConcurrency);
    List<CompletableFuture<Conn>> welcomes = new ArrayList<>();
    for (Conn conn : conns) {
      permits.acquire();
      CompletableFuture<Conn> w = conn.welcomed();
      w.whenComplete((x, e) -> permits.release());
      c.connect(t.issue(conn.user), conn)
          .whenComplete(
              (x, e) -> {
                if (e != null) {
                  conn.welcomed().completeExceptionally(e);
                }
              });
      welcomes.add(w);
    }
    CompletableFuture.allOf(welcomes.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
  }

  WsClient client() {
    if (client == null) {
      throw new IllegalStateException("not started");
    }
    return client;
  }

  Tokens tokens() {
    if (tokens == null) {
      throw new IllegalStateException("not started");
    }
    return tokens;
  }

  /** The server's figures, or null without a stats endpoint. */
  @Nullable ServerStats serverStats(boolean gc) {
    if (stats.equals("none")) {
      return null;
    }
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(stats + (gc ? "?gc=true" : "")))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      return Json.MAPPER.readValue(r.body(), ServerStats.class);
    } catch (IOException e) {
      metrics.error("stats unavailable: " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Warms up, then measures {@code --duration} seconds: resets the metrics, samples {@code primary}
   * every second for the timeline, and returns the result over the interval.
   */
  RunResult measure(long connections, LongSupplier primary) throws InterruptedException {
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
    return measureNow(connections, primary, () -> false, durationSeconds, () -> {});
  }

  /**
   * Measures from now until {@code done} holds or {@code maxSeconds} passed, whichever is first;
   * {@code start} runs once the counters were reset (it starts the work to measure).
   */
  RunResult measureNow(
      long connections,
      LongSupplier primary,
      java.util.function.BooleanSupplier done,
      int maxSeconds,
      Runnable start)
      throws InterruptedException {
    ServerStats s0 = serverStats(false);
    metrics.reset();
    long cpu0 = Cpu.processCpuNanos();
    long t0 = System.nanoTime();
    start.run();
    List<Long> timeline = new ArrayList<>();
    long last = primary.getAsLong();
    long nextTick = t0 + TimeUnit.SECONDS.toNanos(1);
    long end = t0 + TimeUnit.SECONDS.toNanos(maxSeconds);
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      long now = System.nanoTime();
      if (now >= nextTick) {
        long v = primary.getAsLong();
        timeline.add(v - last);
        last = v;
        if (timeline.size() % 5 == 0) {
          System.err.printf(
              "[%s] %ds: %,d this second, sent %,d, delivered %,d, errors %,d %s%n",
              scenario(),
              timeline.size(),
              timeline.get(timeline.size() - 1),
              metrics.sent.sum(),
              metrics.delivered.sum(),
              metrics.errors.sum(),
              metrics.errorSamples());
        }
        nextTick += TimeUnit.SECONDS.toNanos(1);
      }
      Thread.sleep(5);
    }
    long t1 = System.nanoTime();
    long cpu1 = Cpu.processCpuNanos();
    ServerStats s1 = serverStats(false);
    Histogram latency = metrics.latencyInterval();
    Histogram ack = metrics.ackLatencyInterval();
    long[] tl = timeline.stream().mapToLong(Long::longValue).toArray();
    return new RunResult(
        scenario(),
        connections,
        metrics.sent.sum(),
        metrics.sentAcks.sum(),
        metrics.delivered.sum(),
        metrics.receipts.sum(),
        metrics.sessions.sum(),
        metrics.errors.sum(),
        metrics.errorSamples(),
        (t1 - t0) / 1e9,
        cpu1 - cpu0,
        s0 == null || s1 == null ? -1 : s1.cpuNanos() - s0.cpuNanos(),
        latency,
        ack,
        tl,
        new HashMap<>());
  }

  /** Waits until {@code condition} holds, up to {@code timeout}; false on timeout. */
  static boolean await(java.util.function.BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  static void closeAll(List<Conn> conns) {
    for (Conn c : conns) {
      c.close();
    }
  }
}
