package io.messagingkit.transport.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A closed-loop load run for docs/transport-benchmarks.md: {@code pairs} senders each keep one
 * message in flight to their own receiver (send, wait SENT_ACK, send again) through a real
 * ChatServer on Tyrus or Jetty; receivers acknowledge every message. Loopback only, bounded in
 * time.
 *
 * <p>{@code java -cp ... io.messagingkit.transport.websocket.TransportLoad tyrus|jetty PAIRS
 * SECONDS}
 */
public final class TransportLoad {
  static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    String container = args[0];
    int pairs = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    int workers = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    ChatServer server = ChatServer.builder().noArchive().build().start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("t").audience("c").build();
    JwtIssuer issuer = JwtIssuer.hs256(SECRET, "t", "c", Duration.ofHours(1), Clock.systemUTC());
    boolean tyrus = container.equals("tyrus");
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, auth)
            .containerSupport(tyrus ? TyrusChatServerHost.support() : JettyChatServerHost.support())
            .settings(
                WebSocketSettings.builder()
                    .rateLimit(100_000, 100_000)
                    .controlRateLimit(1_000_000, 1_000_000)
                    .inboundByteRate(1L << 30, 1L << 30)
                    .maxConnectionsPerAddress(100_000)
                    .build())
            .build();
    AutoCloseable host;
    int port;
    if (tyrus) {
      TyrusChatServerHost h =
          TyrusChatServerHost.builder(ws).port(0).workerThreads(workers).build().start();
      host = h;
      port = h.port();
    } else {
      JettyChatServerHost h =
          JettyChatServerHost.builder(ws)
              .port(0)
              .maxThreads(Math.max(8, workers * 2))
              .build()
              .start();
      host = h;
      port = h.port();
    }
    URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
    HttpClient http = HttpClient.newHttpClient();
    AtomicLong delivered = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    AtomicLongArray latencyMs = new AtomicLongArray(10_000);
    volatileRunning[0] = true;
    List<WebSocket> sockets = new ArrayList<>();
    CountDownLatch welcomed = new CountDownLatch(pairs * 2);
    for (int i = 0; i < pairs; i++) {
      String receiver = "r" + i;
      String sender = "s" + i;
      sockets.add(
          open(
              http,
              uri,
              issuer.issue(DeviceAddress.of(receiver, "d")),
              welcomed,
              (w, f) -> {
                if (f.path("type").asText().equals("MESSAGE")) {
                  delivered.incrementAndGet();
                  long lat = System.currentTimeMillis() - f.path("ts").asLong();
                  latencyMs.incrementAndGet((int) Math.min(9_999, Math.max(0, lat)));
                  send(
                      w,
                      "{\"type\":\"ACK\",\"from\":\""
                          + f.path("from").asText()
                          + "\",\"id\":\""
                          + f.path("id").asText()
                          + "\"}");
                }
              }));
      long[] seq = {0};
      sockets.add(
          open(
              http,
              uri,
              issuer.issue(DeviceAddress.of(sender, "d")),
              welcomed,
              (w, f) -> {
                String type = f.path("type").asText();
                if (type.equals("WELCOME") || type.equals("SENT_ACK")) {
                  if (type.equals("SENT_ACK")) {
                    acked.incrementAndGet();
                  } else {
                    // ACK receipts as they come (below); start the loop
                  }
                  if (volatileRunning[0]) {
                    send(
                        w,
                        "{\"type\":\"SEND\",\"id\":\"m"
                            + (seq[0]++)
                            + "\",\"to\":\""
                            + receiver
                            + "\",\"text\":\"hello, a short chat message\",\"ts\":"
                            + System.currentTimeMillis()
                            + "}");
                  }
                } else if (type.equals("DELIVERED_ACK")) {
                  send(
                      w,
                      "{\"type\":\"ACK\",\"from\":\""
                          + f.path("by").asText()
                          + "\",\"id\":\""
                          + f.path("receipt").asText()
                          + "\"}");
                }
              }));
    }
    welcomed.await(60, TimeUnit.SECONDS);
    Thread.sleep(3000); // warm-up
    long cpu0 = processCpu();
    long d0 = delivered.get();
    for (int i = 0; i < latencyMs.length(); i++) {
      latencyMs.set(i, 0);
    }
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long d1 = delivered.get();
    long t1 = System.nanoTime();
    long cpu1 = processCpu();
    volatileRunning[0] = false;
    double secs = (t1 - t0) / 1e9;
    long n = d1 - d0;
    System.gc();
    Thread.sleep(500);
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf(
        "%s pairs=%d workers=%d: %.0f delivered msgs/s, latency p50=%d ms p99=%d ms, "
            + "process CPU %.0f us/msg (server+clients), heap after GC %d MB, threads %d%n",
        container,
        pairs,
        workers,
        n / secs,
        pct(latencyMs, 0.50),
        pct(latencyMs, 0.99),
        (cpu1 - cpu0) / 1e3 / Math.max(1, n),
        heap >> 20,
        Thread.activeCount());
    for (WebSocket w : sockets) {
      w.abort();
    }
    host.close();
    ws.close();
    server.close();
    System.exit(0);
  }

  static final boolean[] volatileRunning = {false};

  interface OnFrame {
    void on(WebSocket w, JsonNode frame);
  }

  static final java.util.Map<WebSocket, java.util.concurrent.CompletableFuture<?>> CHAINS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static synchronized void send(WebSocket w, String text) {
    CHAINS.compute(
        w,
        (k, prev) ->
            (prev == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : prev)
                .thenCompose(x -> w.sendText(text, true)));
  }

  static WebSocket open(
      HttpClient http, URI uri, String token, CountDownLatch welcomed, OnFrame on) {
    return http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .subprotocols("messagingkit.v1")
        .buildAsync(
            uri,
            new WebSocket.Listener() {
              final StringBuilder sb = new StringBuilder();

              @Override
              public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                sb.append(data);
                if (last) {
                  try {
                    JsonNode f = JSON.readTree(sb.toString());
                    if (f.path("type").asText().equals("WELCOME")) {
                      welcomed.countDown();
                    }
                    on.on(w, f);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  sb.setLength(0);
                }
                w.request(1);
                return null;
              }
            })
        .join();
  }

  static long pct(AtomicLongArray hist, double q) {
    long total = 0;
    for (int i = 0; i < hist.length(); i++) {
      total += hist.get(i);
    }
    long target = (long) Math.ceil(total * q);
    long seen = 0;
    for (int i = 0; i < hist.length(); i++) {
      seen += hist.get(i);
      if (seen >= target && target > 0) {
        return i;
      }
    }
    return -1;
  }

  static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private TransportLoad() {}
}
