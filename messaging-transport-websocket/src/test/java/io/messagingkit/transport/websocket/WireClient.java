package io.messagingkit.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A raw protocol client on the JDK's WebSocket: sends JSON text, records every frame. */
final class WireClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = new ArrayList<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private WebSocket ws;
  private volatile String negotiated = "";

  /** The outcome of a refused handshake: its HTTP status. */
  static int refusedStatus(URI uri, Map<String, String> headers, String... subprotocols) {
    try {
      connect(uri, headers, subprotocols).close();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  static WireClient connect(URI uri, Map<String, String> headers, String... subprotocols) {
    return connect(true, uri, headers, subprotocols);
  }

  /** A client that reads one frame and then stops reading (a slow consumer). */
  static WireClient connectNotReading(
      URI uri, Map<String, String> headers, String... subprotocols) {
    return connect(false, uri, headers, subprotocols);
  }

  private volatile boolean reading;

  private WireClient(boolean reading) {
    this.reading = reading;
  }

  private static WireClient connect(
      boolean reading, URI uri, Map<String, String> headers, String... subprotocols) {
    WireClient c = new WireClient(reading);
    WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    headers.forEach(b::header);
    if (subprotocols.length > 0) {
      b.subprotocols(
          subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    }
    c.ws = b.buildAsync(uri, c.listener()).orTimeout(10, TimeUnit.SECONDS).join();
    c.negotiated = c.ws.getSubprotocol();
    return c;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          try {
            frames.add(JSON.readTree(text.toString()));
          } catch (Exception e) {
            throw new IllegalStateException("server sent non-JSON: " + text, e);
          }
          text.setLength(0);
        }
        if (reading) {
          webSocket.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeCode.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        closeCode.complete(1006);
      }
    };
  }

  /** A client that stopped reading starts again (and so sees the frames and close it missed). */
  void resume() {
    reading = true;
    ws.request(1);
  }

  /** Frames received so far and not yet taken, of {@code type}. */
  long countReceived(String type) {
    frames.drainTo(seen);
    return seen.stream().filter(f -> f.path("type").asText().equals(type)).count();
  }

  String subprotocol() {
    return negotiated;
  }

  void sendText(String json) {
    ws.sendText(json, true).orTimeout(5, TimeUnit.SECONDS).join();
  }

  void send(Map<String, ?> frame) {
    try {
      sendText(JSON.writeValueAsString(frame));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  void sendBinary(byte[] data) {
    ws.sendBinary(ByteBuffer.wrap(data), true).orTimeout(5, TimeUnit.SECONDS).join();
  }

  /** The next frame of {@code type} (skipping others, which stay in {@link #seen}). */
  JsonNode next(String type) {
    return next(f -> f.path("type").asText().equals(type), type);
  }

  JsonNode next(Predicate<JsonNode> match, String what) {
    for (JsonNode f : seen) {
      if (match.test(f)) {
        seen.remove(f);
        return f;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode f;
      try {
        f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (f == null) {
        throw new AssertionError(
            "no "
                + what
                + " frame within 10 s; saw "
                + seen
                + "; closed: "
                + closeCode.getNow(null));
      }
      if (match.test(f)) {
        return f;
      }
      seen.add(f);
    }
  }

  /** Asserts that no frame of {@code type} arrives within {@code wait}. */
  void assertNo(String type, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    for (JsonNode f : seen) {
      assertThat(f.path("type").asText()).as("unexpected frame %s", f).isNotEqualTo(type);
    }
    while (System.nanoTime() < deadline) {
      try {
        JsonNode f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (f != null) {
          assertThat(f.path("type").asText()).as("unexpected frame %s", f).isNotEqualTo(type);
          seen.add(f);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  int awaitClose() {
    return closeCode.orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    if (!ws.isOutputClosed()) {
      ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    ws.abort();
  }
}
