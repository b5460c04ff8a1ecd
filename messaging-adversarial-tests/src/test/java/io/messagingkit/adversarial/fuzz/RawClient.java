package io.messagingkit.adversarial.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A raw wire client on the JDK's WebSocket (not the SDK): sends text as given, hands every frame it
 * receives to a checker, acknowledges every MESSAGE it gets (so the server's queues drain), and
 * records how the server closed it.
 */
final class RawClient implements AutoCloseable {
  /** A fixed, prestarted pool, so the client's own threads do not move the thread count. */
  private static final java.util.concurrent.ThreadPoolExecutor POOL =
      new java.util.concurrent.ThreadPoolExecutor(
          2,
          2,
          0,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "fuzz-client");
            t.setDaemon(true);
            return t;
          });

  private static final HttpClient HTTP;

  static {
    POOL.prestartAllCoreThreads();
    HTTP = HttpClient.newBuilder().executor(POOL).build();
  }

  /** Loads the shared client (and its threads) before a baseline is measured. */
  static void warmUp() {
    HTTP.version();
  }

  final CompletableFuture<Integer> closed = new CompletableFuture<>();

  /** Set by the fuzzer after it sent a frame that earns a close (binary, oversize). */
  volatile boolean mayBeClosed;

  final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  private final Queue<String> acks = new ConcurrentLinkedQueue<>();
  private final Consumer<String> check;
  private final Predicate<JsonNode> keep;
  private WebSocket ws;

  private RawClient(Consumer<String> check, Predicate<JsonNode> keep) {
    this.check = check;
    this.keep = keep;
  }

  /**
   * Connects; {@code check} sees every text frame (it throws on a broken promise); frames are kept
   * in {@link #received} when {@code keep} accepts them.
   */
  static RawClient connect(
      URI uri, String token, Consumer<String> check, Predicate<JsonNode> keep) {
    RawClient c = new RawClient(check, keep);
    c.ws =
        HTTP.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + token)
            .subprotocols("messagingkit.v1")
            .buildAsync(uri, c.listener())
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    return c;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          String frame = text.toString();
          text.setLength(0);
          check.accept(frame);
          JsonNode node = parse(frame);
          if (node.path("type").asText().equals("MESSAGE")) {
            ObjectNode ack = FrameGrammar.JSON.createObjectNode();
            ack.put("type", "ACK");
            ack.put("from", node.path("from").asText());
            ack.put("id", node.path("id").asText());
            acks.add(ack.toString());
          }
          if (keep.test(node)) {
            received.add(node);
          }
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(1006);
      }
    };
  }

  private static JsonNode parse(String frame) {
    try {
      return FrameGrammar.JSON.readTree(frame);
    } catch (java.io.IOException e) {
      throw new AssertionError("the server sent a frame that is not JSON: " + frame, e);
    }
  }

  boolean isOpen() {
    return !closed.isDone() && !ws.isOutputClosed();
  }

  /** Sends one text frame (and any acknowledgments due); false if the connection is gone. */
  boolean send(String text) {
    String ack;
    while ((ack = acks.poll()) != null) {
      if (!sendNow(ack)) {
        return false;
      }
    }
    return sendNow(text);
  }

  private boolean sendNow(String raw) {
    if (!isOpen()) {
      return false;
    }
    String text = wellFormed(raw);
    try {
      ws.sendText(text, true).get(10, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * A WebSocket text frame is UTF-8, so a client cannot send an unpaired surrogate (the JDK fails
   * the send): write each as its JSON escape instead, which still reaches the server's parser.
   */
  static String wellFormed(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
              : !Character.isLowSurrogate(c)
                  || (i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
      if (!Character.isSurrogate(c) || paired) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      out.append(String.format("\\u%04x", (int) c));
    }
    return out == null ? s : out.toString();
  }

  boolean sendBinary(byte[] data) {
    try {
      ws.sendBinary(ByteBuffer.wrap(data), true).get(10, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** The next kept frame matching {@code type} and, if given, {@code rid}, within 30 s. */
  JsonNode await(String type, Map<String, String> fields) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      JsonNode f = received.poll(100, TimeUnit.MILLISECONDS);
      if (f != null
          && f.path("type").asText().equals(type)
          && fields.entrySet().stream()
              .allMatch(e -> f.path(e.getKey()).asText().equals(e.getValue()))) {
        return f;
      }
      if (f == null && closed.isDone()) {
        break;
      }
    }
    throw new AssertionError(
        "no " + type + " " + fields + " within 30 s; closed with " + closed.getNow(null));
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    ws.abort();
  }
}
