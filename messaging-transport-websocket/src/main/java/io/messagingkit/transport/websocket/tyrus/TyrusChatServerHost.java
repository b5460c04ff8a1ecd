package io.messagingkit.transport.websocket.tyrus;

import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.ContainerSupport;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerContainer;
import org.glassfish.tyrus.core.HandshakeException;
import org.glassfish.tyrus.core.RequestContext;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.jspecify.annotations.Nullable;

/**
 * Serves a {@link ChatWebSocket} standalone on Tyrus with the Grizzly container. Tyrus standalone
 * serves WebSocket only (no static files or HTTP handlers: use {@code JettyChatServerHost} for
 * those) and, in Tyrus 2.2.0, binds every interface (0.0.0.0) whatever host it is given.
 *
 * <pre>{@code
 * try (TyrusChatServerHost host = TyrusChatServerHost.builder(ws).port(8080).build().start()) {
 *   // ws://localhost:8080/ws
 * }
 * }</pre>
 */
public final class TyrusChatServerHost implements AutoCloseable {
  private final ChatWebSocket ws;
  private final int requestedPort;
  private final int workerThreads;
  private final int selectorThreads;
  private @Nullable TyrusServerContainer container;
  private int port = -1;

  private TyrusChatServerHost(Builder b) {
    this.ws = b.ws;
    this.requestedPort = b.port;
    this.workerThreads = b.workerThreads;
    this.selectorThreads = b.selectorThreads;
  }

  /**
   * A builder for a host serving {@code ws}; build it with Tyrus support, see {@link #support()}.
   */
  public static Builder builder(ChatWebSocket ws) {
    return new Builder(ws);
  }

  /**
   * Tyrus's answers to what the Jakarta API cannot say: a refused handshake is Tyrus's {@code
   * HandshakeException} (the HTTP status is kept), and the peer address comes from its request.
   * Give it to {@link ChatWebSocket.Builder#containerSupport} when the endpoint runs on Tyrus.
   */
  public static ContainerSupport support() {
    return new ContainerSupport() {
      @Override
      public RuntimeException refusal(int status, String reason, HandshakeResponse response) {
        // Tyrus prepares the 101 headers before modifyHandshake and writes them with whatever
        // status the exception carries: turn them into a complete, closing error response.
        if (response instanceof UpgradeResponse r) {
          r.setStatus(status);
          r.setReasonPhrase(reason);
          Map<String, List<String>> headers = r.getHeaders();
          headers
              .keySet()
              .removeIf(
                  h ->
                      h.toLowerCase(Locale.ROOT).startsWith("sec-websocket")
                          || h.equalsIgnoreCase("Upgrade")
                          || h.equalsIgnoreCase("Connection"));
          headers.put("Content-Length", List.of("0"));
          headers.put("Connection", List.of("close"));
        }
        return sneaky(new HandshakeException(status, reason));
      }

      @Override
      public @Nullable String remoteAddress(ServerEndpointConfig config, HandshakeRequest request) {
        return request instanceof RequestContext rc ? rc.getRemoteAddr() : null;
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
    throw (T) t;
  }

  /** Starts listening; returns this. */
  public synchronized TyrusChatServerHost start() {
    if (container != null) {
      throw new IllegalStateException("already started");
    }
    Map<String, Object> props = new HashMap<>();
    props.put(
        GrizzlyServerContainer.WORKER_THREAD_POOL_CONFIG,
        ThreadPoolConfig.defaultConfig()
            .setPoolName("messagingkit-tyrus-worker")
            .setCorePoolSize(workerThreads)
            .setMaxPoolSize(workerThreads));
    props.put(
        GrizzlyServerContainer.SELECTOR_THREAD_POOL_CONFIG,
        ThreadPoolConfig.defaultConfig()
            .setPoolName("messagingkit-tyrus-selector")
            .setCorePoolSize(selectorThreads)
            .setMaxPoolSize(selectorThreads));
    // Tyrus's incoming buffer bounds what it buffers of one frame (4 MB by default). A frame that
    // overflows it is closed with 1011, one that fits but exceeds the text limit with 1009: keep
    // headroom so over-limit frames up to 4x the limit get the documented 1009.
    props.put(
        TyrusWebSocketEngine.INCOMING_BUFFER_SIZE, 4 * ws.settings().maxTextFrameBytes() + 1024);
    TyrusServerContainer c =
        (TyrusServerContainer) new GrizzlyServerContainer().createContainer(props);
    c.setDefaultMaxTextMessageBufferSize(ws.settings().maxTextFrameBytes());
    c.setDefaultMaxSessionIdleTimeout(ws.settings().idleTimeout().toMillis());
    try {
      c.addEndpoint(ws.endpointConfig());
      c.start("/", requestedPort);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + requestedPort, e);
    } catch (DeploymentException e) {
      throw new IllegalStateException("cannot deploy the chat endpoint", e);
    }
    this.container = c;
    this.port = c.getPort();
    return this;
  }

  /** The port listened on (resolved when 0 was asked), or -1 before start. */
  public int port() {
    return port;
  }

  /** Stops listening and closes open connections. */
  @Override
  public synchronized void close() {
    TyrusServerContainer c = container;
    container = null;
    if (c != null) {
      c.stop();
    }
  }

  /** Builds a {@link TyrusChatServerHost}. */
  public static final class Builder {
    private final ChatWebSocket ws;
    private int port = 8080;
    private int workerThreads = 8;
    private int selectorThreads = Math.max(1, Runtime.getRuntime().availableProcessors());

    private Builder(ChatWebSocket ws) {
      this.ws = Objects.requireNonNull(ws, "ws");
    }

    /** The port (default 8080; 0 picks a free one). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Grizzly worker threads, which run {@code @OnMessage} (default 8). */
    public Builder workerThreads(int threads) {
      this.workerThreads = threads;
      return this;
    }

    /** Grizzly selector threads (default: one per core). */
    public Builder selectorThreads(int threads) {
      this.selectorThreads = threads;
      return this;
    }

    public TyrusChatServerHost build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (workerThreads < 1) {
        throw new IllegalArgumentException("workerThreads must be positive, got " + workerThreads);
      }
      if (selectorThreads < 1) {
        throw new IllegalArgumentException(
            "selectorThreads must be positive, got " + selectorThreads);
      }
      return new TyrusChatServerHost(this);
    }
  }
}
