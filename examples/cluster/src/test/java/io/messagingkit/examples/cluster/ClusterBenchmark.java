package io.messagingkit.examples.cluster;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.UserId;
import io.messagingkit.transport.websocket.client.MessagingClient;
import io.messagingkit.transport.websocket.protocol.ServerFrame;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * 1-1 throughput and latency through the cluster (not a test): {@code pairs} senders on chat server
 * 1 each send {@code perSender} messages to their own receiver on chat server 2, at most {@code
 * window} unacknowledged-by-arrival per sender, after {@code warmup} messages per sender that are
 * not measured. Latency is from before the send to the receiver's callback (same JVM, same clock).
 * Arguments: pairs perSender window [warmup, default 1,000].
 *
 * <pre>
 * mvn -B -q -pl examples/cluster exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.messagingkit.examples.cluster.ClusterBenchmark -Dexec.args="20 5000 10 2000"
 * </pre>
 */
public final class ClusterBenchmark {

  private ClusterBenchmark() {}

  public static void main(String[] args) throws Exception {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int perSender = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
    String run = UUID.randomUUID().toString().substring(0, 8);
    String schema = "mk_bench_" + run.replace("-", "");
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    ClusterApp app =
        ClusterApp.start(
            new ClusterApp.Config(
                List.of(0, 0),
                System.getProperty("cluster.kafka"),
                "jdbc:postgresql://127.0.0.1:5432/test",
                "postgres",
                schema,
                "127.0.0.1",
                6379,
                "mk-bench:" + run + ":",
                "bench-" + run,
                secret,
                1));
    int total = pairs * perSender;
    long[] latencies = new long[total];
    AtomicInteger received = new AtomicInteger();
    List<MessagingClient> clients = new ArrayList<>();
    List<Semaphore> windows = new ArrayList<>();
    try {
      for (int p = 0; p < pairs; p++) {
        Semaphore w = new Semaphore(window);
        windows.add(w);
        UserId receiver = UserId.of("r" + p + "-" + run);
        MessagingClient r =
            client(
                app,
                1,
                receiver,
                new MessagingClient.Listener() {
                  @Override
                  public void onMessage(ServerFrame.Message message) {
                    long sentAt = Long.parseLong(MessagingClient.text(message));
                    int i = received.getAndIncrement();
                    if (i < total) {
                      latencies[i] = System.nanoTime() - sentAt;
                    }
                    w.release();
                  }
                });
        clients.add(r);
      }
      List<MessagingClient> senders = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        MessagingClient s = client(app, 0, UserId.of("s" + p + "-" + run), null);
        clients.add(s);
        senders.add(s);
      }
      // first message of each pair (connections, sessions, device registration)
      for (int p = 0; p < pairs; p++) {
        senders
            .get(p)
            .send(UserId.of("r" + p + "-" + run), String.valueOf(System.nanoTime()))
            .join();
      }
      while (received.get() < pairs) {
        Thread.sleep(10);
      }
      // warm-up: the same load, not measured (JIT compilation, pools, batch sizes settle)
      received.set(0);
      long warmStart = System.nanoTime();
      load(pairs, warmup, run, senders, windows);
      while (received.get() < pairs * warmup
          && System.nanoTime() - warmStart < TimeUnit.MINUTES.toNanos(5)) {
        Thread.sleep(5);
      }
      System.out.printf(
          "warm-up: %d messages in %.1f s%n",
          received.get(), (System.nanoTime() - warmStart) / 1e9);
      received.set(0);
      long start = System.nanoTime();
      load(pairs, perSender, run, senders, windows);
      while (received.get() < total && System.nanoTime() - start < TimeUnit.MINUTES.toNanos(5)) {
        Thread.sleep(5);
      }
      long elapsed = System.nanoTime() - start;
      int n = Math.min(received.get(), total);
      long[] sorted = Arrays.copyOf(latencies, n);
      Arrays.sort(sorted);
      System.out.printf(
          "pairs=%d perSender=%d window=%d received=%d/%d in %.2f s: %.0f msgs/s;"
              + " latency p50=%.1f ms p99=%.1f ms max=%.1f ms%n",
          pairs,
          perSender,
          window,
          n,
          total,
          elapsed / 1e9,
          n / (elapsed / 1e9),
          sorted[n / 2] / 1e6,
          sorted[(int) (n * 0.99)] / 1e6,
          sorted[n - 1] / 1e6);
      for (ClusterApp.Node node : app.nodes()) {
        io.micrometer.core.instrument.Timer routing =
            node.chatServer().meterRegistry().find("messagingkit.routing.latency").timer();
        if (routing != null) {
          System.out.printf(
              "%s routed %d: acceptance to routed mean=%.1f ms max=%.1f ms%n",
              node.chatServer().serverId(),
              routing.count(),
              routing.mean(TimeUnit.MILLISECONDS),
              routing.max(TimeUnit.MILLISECONDS));
        }
      }
    } finally {
      clients.forEach(MessagingClient::close);
      app.close();
      try (Connection c =
              DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "");
          Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    }
    System.exit(0);
  }

  /** Each sender sends {@code count} messages to its receiver, at most a window unreceived. */
  private static void load(
      int pairs, int count, String run, List<MessagingClient> senders, List<Semaphore> windows) {
    for (int p = 0; p < pairs; p++) {
      int pair = p;
      Thread t =
          new Thread(
              () -> {
                UserId to = UserId.of("r" + pair + "-" + run);
                for (int i = 0; i < count; i++) {
                  windows.get(pair).acquireUninterruptibly();
                  senders.get(pair).send(to, String.valueOf(System.nanoTime()));
                }
              });
      t.start();
    }
  }

  private static MessagingClient client(
      ClusterApp app, int node, UserId user, MessagingClient.@Nullable Listener listener) {
    String token = app.token(new DeviceAddress(user, DeviceId.of("d")));
    MessagingClient.Builder b =
        MessagingClient.builder(app.nodes().get(node).webSocketUri()).token(() -> token);
    if (listener != null) {
      b.listener(listener);
    }
    MessagingClient c = b.build();
    c.connect().orTimeout(30, TimeUnit.SECONDS).join();
    return c;
  }
}
