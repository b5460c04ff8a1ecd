package io.messagingkit.adversarial.bounds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A client that is not the SDK: the JDK's WebSocket speaking the JSON wire protocol. */
final class RawClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = new ArrayList<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private WebSocket ws;

  static RawClient connect(URI uri, String token) {
    RawClient c = new RawClient();
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
          try {
            frames.add(JSON.readTree(text.toString()));
          } catch (Exception e) {
            throw new IllegalStateException("server sent non-JSON: " + text, e);
          }
          text.setLength(0);
        }
        webSocket.request(1);
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

  void send(Map<String, ?> frame) {
    try {
      ws.sendText(JSON.writeValueAsString(frame), true).orTimeout(5, TimeUnit.SECONDS).join();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  JsonNode next(String type) {
    return next(f -> f.path("type").asText().equals(type), type);
  }

  /** The answer to request {@code ref} (a rid or a message id): RESULT, SENT_ACK or ERROR. */
  JsonNode answer(String ref) {
    return next(
        f ->
            ref.equals(f.path("rid").asText(null))
                || ref.equals(f.path("ref").asText(null))
                || ("SENT_ACK".equals(f.path("type").asText())
                    && ref.equals(f.path("id").asText())),
        "answer to " + ref);
  }

  JsonNode next(Predicate<JsonNode> match, String what) {
    for (JsonNode f : seen) {
      if (match.test(f)) {
        seen.remove(f);
        return f;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
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
        throw new AssertionError("no " + what + " within 15 s; seen " + seen);
      }
      if (match.test(f)) {
        return f;
      }
      seen.add(f);
    }
  }

  /** Every frame received so far that was not consumed. */
  List<JsonNode> drained() {
    frames.drainTo(seen);
    return List.copyOf(seen);
  }

  @Override
  public void close() {
    try {
      ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).join();
    } catch (RuntimeException e) {
      ws.abort();
    }
    try {
      closeCode.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      ws.abort();
    }
  }
}
