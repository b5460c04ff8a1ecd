package io.messagingkit.adversarial.authz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A protocol client that is not the SDK: the JDK's WebSocket sending hand-made JSON and recording
 * every frame the server sends, in order.
 */
final class RawClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(10);

  final String user;
  private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final WebSocket ws;
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raw-client-heartbeat");
            t.setDaemon(true);
            return t;
          });

  private RawClient(String user, URI uri, String token) {
    this.user = user;
    this.ws =
        HTTP.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + token)
            .subprotocols("messagingkit.v1")
            .buildAsync(uri, listener())
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
  }

  static RawClient connect(String user, URI uri, String token) {
    RawClient c = new RawClient(user, uri, token);
    c.until(f -> type(f).equals("WELCOME"), "WELCOME");
    // as a real client does, so that a quiet client is not closed as idle (HEARTBEAT_ACK is noise)
    c.heartbeats.scheduleWithFixedDelay(
        () -> c.send(Map.of("type", "HEARTBEAT")), 4, 4, TimeUnit.SECONDS);
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
          } catch (JsonProcessingException e) {
            throw new IllegalStateException("server sent non-JSON: " + text, e);
          }
          text.setLength(0);
        }
        webSocket.request(1);
        return null;
      }
    };
  }

  static String type(JsonNode frame) {
    return frame.path("type").asText();
  }

  synchronized void send(Map<String, ?> frame) {
    try {
      ws.sendText(JSON.writeValueAsString(frame), true).orTimeout(5, TimeUnit.SECONDS).join();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Takes frames until one matches; returns the frames before it followed by the match. Fails if
   * none matches within 10 s.
   */
  List<JsonNode> until(Predicate<JsonNode> match, String what) {
    List<JsonNode> taken = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      JsonNode f;
      try {
        long left = deadline - System.nanoTime();
        f = left <= 0 ? null : frames.poll(left, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (f == null) {
        throw new AssertionError(user + ": no " + what + " within " + WAIT + "; saw " + taken);
      }
      taken.add(f);
      if (match.test(f)) {
        return taken;
      }
    }
  }

  /** The first frame matching, skipping (and returning nothing of) the others. */
  JsonNode next(Predicate<JsonNode> match, String what) {
    List<JsonNode> taken = until(match, what);
    return taken.get(taken.size() - 1);
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    ws.sendClose(1000, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    ws.abort();
  }
}
