package io.messagingkit.adversarial.crash;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One connection of a raw protocol client on the JDK's {@link WebSocket} (not the SDK): JSON text
 * frames out, every frame in onto a queue, and the end of the connection as an event. Sends are
 * serialised by the caller (one thread per client).
 */
final class RawLink implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** A frame the server sent, or the end of the connection ({@code frame} empty). */
  record Event(Optional<JsonNode> frame) {}

  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private volatile boolean open = true;
  private WebSocket ws;

  private RawLink() {}

  /**
   * Connects with {@code token} as a bearer header and waits for {@code WELCOME}.
   *
   * @throws RuntimeException if the server does not answer (not running yet, refused)
   */
  static RawLink connect(URI uri, String token) {
    RawLink link = new RawLink();
    link.ws =
        HTTP.newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .header("Authorization", "Bearer " + token)
            .subprotocols("messagingkit.v1")
            .buildAsync(uri, link.listener())
            .orTimeout(5, TimeUnit.SECONDS)
            .join();
    JsonNode welcome = link.next(Duration.ofSeconds(10));
    if (welcome == null || !welcome.path("type").asText().equals("WELCOME")) {
      link.close();
      throw new IllegalStateException("expected WELCOME, got " + welcome);
    }
    return link;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          try {
            events.add(new Event(Optional.of(JSON.readTree(text.toString()))));
          } catch (JsonProcessingException e) {
            throw new IllegalStateException("server sent non-JSON: " + text, e);
          }
          text.setLength(0);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        ended();
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        ended();
      }
    };
  }

  private void ended() {
    open = false;
    events.add(new Event(Optional.empty()));
  }

  boolean isOpen() {
    return open;
  }

  /** Sends one frame; returns false if the connection is gone. */
  boolean send(Map<String, ?> frame) {
    if (!open) {
      return false;
    }
    try {
      ws.sendText(JSON.writeValueAsString(frame), true).get(5, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      ended();
      return false;
    }
  }

  /**
   * The next event within {@code wait}: a frame, null when none came, or throws {@link LinkClosed}
   * when the connection ended.
   */
  JsonNode next(Duration wait) {
    try {
      Event e = events.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
      if (e == null) {
        return null;
      }
      return e.frame().orElseThrow(LinkClosed::new);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LinkClosed();
    }
  }

  @Override
  public void close() {
    open = false;
    ws.abort();
  }

  /** The connection ended (the server died or closed it). */
  static final class LinkClosed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LinkClosed() {
      super("connection closed", null, false, false);
    }
  }
}
