package io.messagingkit.adversarial.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.JwtIssuer;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The frame fuzzer over the wire: frames generated from the protocol's grammar and mutations of
 * valid frames ({@link FrameGrammar}), sent by raw JDK WebSocket clients on several connections to
 * a real running server (Tyrus, then Jetty), with its rate limits raised so every frame is parsed
 * and handled. It checks that every answer is a well-formed server frame and every error an {@code
 * ERROR} with a documented code and no internals (never {@code internal}), that every close has a
 * documented code, that a control pair still exchanges a message after every batch, and that
 * outbound bytes, heap (after GC) and threads return to their baseline. The frames come from a seed
 * ({@link FuzzSeed}): it is printed, named in every failure and set with {@code -Dfuzz.seed=} to
 * replay a run; {@code -Dfuzz.frames=} sets the frames per container.
 */
class WireFrameFuzzTest {
  static final byte[] SECRET = "fuzz-secret-fuzz-secret-fuzz-sec".getBytes(StandardCharsets.UTF_8);
  static final int FUZZ_CONNECTIONS = 4;
  static final int BATCH = 1_000;
  static final int MAX_FRAME = 64 * 1024;

  /** Frame types a server may send (docs/protocol.md, "Server to client"). */
  static final Set<String> SERVER_TYPES =
      Set.of(
          "WELCOME",
          "SENT_ACK",
          "MESSAGE",
          "DELIVERED_ACK",
          "READ_ACK",
          "PRESENCE",
          "TYPING",
          "GROUP_EVENT",
          "HISTORY_PAGE",
          "RESULT",
          "HEARTBEAT_ACK",
          "ERROR");

  /**
   * Error codes a client may be answered with for what it sent (never {@code internal}); {@code
   * limit_exceeded} answers a {@code MEDIA_UPLOAD} past the per-user upload quota.
   */
  static final Set<String> CLIENT_ERROR_CODES =
      Set.of(
          "invalid_request",
          "forbidden",
          "not_found",
          "conflict",
          "rate_limited",
          "limit_exceeded");

  /**
   * Close codes the fuzzer's frames may earn: binary 1003, oversize 1009, rate 1008; 0 counts a
   * reset seen while the client was still sending the frame that earned one of them.
   */
  static final Set<Integer> DOCUMENTED_CLOSES = Set.of(0, 1003, 1008, 1009);

  static final Pattern INTERNALS =
      Pattern.compile(
          "Exception|java\\.|javax\\.|jakarta\\.|com\\.fasterxml|jackson|org\\.|io\\.messagingkit"
              + "|StreamReadConstraints|For input string|\\tat ");

  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();

  @Test
  @DisplayName(
      "on Tyrus, fuzzed frames get only well-formed answers, clean errors and documented closes;"
          + " others keep being served; memory and threads return to their baseline")
  void tyrus() throws Exception {
    fuzz("tyrus");
  }

  @Test
  @DisplayName(
      "on Jetty, fuzzed frames get only well-formed answers, clean errors and documented closes;"
          + " others keep being served; memory and threads return to their baseline")
  void jetty() throws Exception {
    fuzz("jetty");
  }

  private void fuzz(String container) throws Exception {
    FuzzSeed seed = FuzzSeed.forRun("fuzz " + container);
    try {
      fuzz(container, seed);
    } catch (AssertionError | RuntimeException e) {
      // Awaitility timeouts, RawClient waits and broken promises alike: name the seed.
      throw seed.failure("fuzz " + container, e);
    }
  }

  private void fuzz(String container, FuzzSeed seed) throws Exception {
    int total = Integer.getInteger("fuzz.frames", 50_000);
    System.out.printf("fuzz %s: %d frames%n", container, total);
    long started = System.nanoTime();
    RawClient.warmUp();
    int threadsBefore = liveThreads();
    long heapBefore = usedHeapAfterGc();

    java.nio.file.Path media = java.nio.file.Files.createTempDirectory("fuzz-media");
    ChatServer server =
        ChatServer.builder()
            .mediaStore(
                io.messagingkit.core.memory.LocalFolderMediaStore.builder(
                        media, URI.create("http://127.0.0.1:1/media"))
                    .build())
            .build()
            .start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder().hmacSecret(SECRET).issuer("fuzz").audience("chat").build();
    JwtIssuer issuer =
        JwtIssuer.hs256(SECRET, "fuzz", "chat", Duration.ofMinutes(30), Clock.systemUTC());
    WebSocketSettings settings =
        WebSocketSettings.builder()
            .maxTextFrameBytes(MAX_FRAME)
            .rateLimit(1_000_000, 1_000_000)
            .controlRateLimit(1_000_000, 1_000_000)
            .inboundByteRate(1L << 32, 1L << 32)
            .maxRateViolations(1_000_000)
            .build();
    ChatWebSocket.Builder wsb = ChatWebSocket.builder(server::connect, auth).settings(settings);
    ChatWebSocket ws;
    AutoCloseable host;
    int port;
    if (container.equals("tyrus")) {
      ws = wsb.containerSupport(TyrusChatServerHost.support()).build();
      TyrusChatServerHost h =
          TyrusChatServerHost.builder(ws).port(0).workerThreads(4).selectorThreads(1).build();
      h.start();
      host = h;
      port = h.port();
    } else {
      ws = wsb.containerSupport(JettyChatServerHost.support()).build();
      JettyChatServerHost h = JettyChatServerHost.builder(ws).port(0).maxThreads(16).build();
      h.start();
      host = h;
      port = h.port();
    }
    URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
    List<String> users = new ArrayList<>();
    for (int i = 0; i < FUZZ_CONNECTIONS; i++) {
      users.add("fuzz" + i);
    }
    FrameGrammar grammar = new FrameGrammar(users, List.of("g0", "g1", "g2"), MAX_FRAME);
    Gen<String> frames = grammar.frames();
    SplittableRandom random = seed.random();
    Map<Integer, AtomicLong> closes = new ConcurrentHashMap<>();
    List<RawClient> fuzzers = new ArrayList<>();
    try {
      RawClient ctlA = control(uri, issuer, "ctl-a");
      RawClient ctlB = control(uri, issuer, "ctl-b");
      for (int i = 0; i < FUZZ_CONNECTIONS; i++) {
        fuzzers.add(fuzzer(uri, issuer, users.get(i), i));
      }
      long heapWarm = -1;
      int threadsWarm = -1;
      int sent = 0;
      int batch = 0;
      while (sent < total) {
        for (int n = 0; n < BATCH && sent < total; n++, sent++) {
          int k = n % FUZZ_CONNECTIONS;
          RawClient c = fuzzers.get(k);
          String next = random.nextInt(2_000) == 0 ? null : frames.next(random);
          if (next == null || next.length() > MAX_FRAME) {
            c.mayBeClosed =
                true; // a binary or oversize frame: 1003 or 1009 (or a reset) may follow
          }
          boolean ok =
              next == null ? c.sendBinary(new byte[1 + random.nextInt(8_192)]) : c.send(next);
          if (!ok || !c.isOpen()) {
            fuzzers.set(k, reconnect(c, uri, issuer, users.get(k), k, closes));
          }
        }
        // Every connection answers a marker sent after its batch, and the control pair still works.
        for (int k = 0; k < FUZZ_CONNECTIONS; k++) {
          String rid = "barrier-" + batch + "-" + k;
          RawClient c = fuzzers.get(k);
          if (!c.send("{\"type\":\"GROUP_LIST\",\"rid\":\"" + rid + "\"}")) {
            c = reconnect(c, uri, issuer, users.get(k), k, closes);
            fuzzers.set(k, c);
            c.send("{\"type\":\"GROUP_LIST\",\"rid\":\"" + rid + "\"}");
          }
          try {
            c.await("RESULT", Map.of("rid", rid));
          } catch (AssertionError e) {
            if (!c.closed.isDone()) {
              throw e;
            }
            // Closed by a frame of the batch (oversize, binary) after the marker went out.
            c = reconnect(c, uri, issuer, users.get(k), k, closes);
            fuzzers.set(k, c);
            c.send("{\"type\":\"GROUP_LIST\",\"rid\":\"" + rid + "\"}");
            c.await("RESULT", Map.of("rid", rid));
          }
        }
        ctlB.send("{\"type\":\"HEARTBEAT\"}");
        String id = "ctl" + batch;
        ctlA.send("{\"type\":\"SEND\",\"id\":\"" + id + "\",\"to\":\"ctl-b\",\"text\":\"batch\"}");
        ctlA.await("SENT_ACK", Map.of("id", id));
        ctlB.await("MESSAGE", Map.of("id", id));
        assertThat(problems).as("broken promises so far (%s)", seed).isEmpty();
        if (batch == 0) {
          heapWarm = usedHeapAfterGc();
          threadsWarm = liveThreads();
        } else {
          assertThat(liveThreads())
              .as("threads after batch %d (%s)", batch, seed)
              .isLessThan(threadsWarm + 40);
        }
        batch++;
      }
      for (RawClient c : fuzzers) {
        c.close();
      }
      fuzzers.clear();
      Awaitility.await("only the control pair open (" + seed + ")")
          .atMost(Duration.ofSeconds(20))
          .until(() -> ws.openConnections() == 2);
      Awaitility.await("outbound bytes back to 0 (" + seed + ")")
          .atMost(Duration.ofSeconds(20))
          .until(() -> ws.outboundBytes() == 0);
      long heapEnd = usedHeapAfterGc();
      System.out.printf(
          "fuzz %s: %d frames in %d batches, %d s; answers %s; closes %s; heap after GC %d MiB"
              + " warm, %d MiB end; threads %d warm, %d end%n",
          container,
          sent,
          batch,
          Duration.ofNanos(System.nanoTime() - started).toSeconds(),
          answers,
          closes,
          heapWarm >> 20,
          heapEnd >> 20,
          threadsWarm,
          liveThreads());
      assertThat(problems).as("broken promises (%s)", seed).isEmpty();
      assertThat(closes.keySet()).as("close codes (%s)", seed).isSubsetOf(DOCUMENTED_CLOSES);
      assertThat(heapEnd)
          .as("heap after GC, server running (%s)", seed)
          .isLessThan(heapWarm + (64L << 20));
      ctlA.close();
      ctlB.close();
    } finally {
      fuzzers.forEach(RawClient::close);
      host.close();
      ws.close();
      server.close();
    }
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> liveThreads() <= threadsBefore + 2);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> names = new ArrayList<>();
      Thread.getAllStackTraces().keySet().forEach(t -> names.add(t.getName()));
      throw new AssertionError(
          seed + ": threads did not return to " + threadsBefore + " + 2 after shutdown: " + names,
          e);
    }
    assertThat(usedHeapAfterGc())
        .as("heap after GC, server stopped (%s)", seed)
        .isLessThan(heapBefore + (32L << 20));
  }

  private RawClient control(URI uri, JwtIssuer issuer, String user) {
    RawClient c =
        RawClient.connect(
            uri, issuer.issue(DeviceAddress.of(user, "phone")), this::check, f -> true);
    awaitWelcome(c);
    return c;
  }

  private RawClient fuzzer(URI uri, JwtIssuer issuer, String user, int k) {
    RawClient c =
        RawClient.connect(
            uri,
            issuer.issue(DeviceAddress.of(user, "dev" + k)),
            this::check,
            f ->
                f.path("rid").asText().startsWith("barrier-")
                    || f.path("type").asText().equals("WELCOME"));
    awaitWelcome(c);
    return c;
  }

  private static void awaitWelcome(RawClient c) {
    try {
      c.await("WELCOME", Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private RawClient reconnect(
      RawClient old,
      URI uri,
      JwtIssuer issuer,
      String user,
      int k,
      Map<Integer, AtomicLong> closes) {
    int code;
    try {
      code = old.closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      code = -1; // the server neither answered nor closed: counted, and not a documented close
    }
    if (code == 1006 && old.mayBeClosed) {
      // The server closed while the client was still writing the frame that earned the close,
      // so the client saw a reset before the close frame: counted apart, not a server fault.
      code = 0;
    }
    closes.computeIfAbsent(code, x -> new AtomicLong()).incrementAndGet();
    old.close();
    return fuzzer(uri, issuer, user, k);
  }

  /** Called for every frame any client receives: records each broken promise. */
  private void check(String text) {
    JsonNode f;
    try {
      f = FrameGrammar.JSON.readTree(text);
    } catch (java.io.IOException e) {
      problems.add("not JSON: " + abbreviate(text));
      return;
    }
    String type = f.path("type").asText();
    answers.computeIfAbsent(type, x -> new AtomicLong()).incrementAndGet();
    if (!f.isObject() || !SERVER_TYPES.contains(type)) {
      problems.add("unknown frame: " + abbreviate(text));
      return;
    }
    if (type.equals("ERROR")) {
      String code = f.path("code").asText();
      answers.computeIfAbsent("ERROR:" + code, x -> new AtomicLong()).incrementAndGet();
      if (!CLIENT_ERROR_CODES.contains(code)) {
        problems.add("error code " + code + ": " + abbreviate(text));
      }
      if (INTERNALS.matcher(f.path("message").asText()).find()) {
        problems.add("internals in an error: " + abbreviate(text));
      }
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  static int liveThreads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
