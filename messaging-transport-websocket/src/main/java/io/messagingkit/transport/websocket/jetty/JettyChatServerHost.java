package io.messagingkit.transport.websocket.jetty;

import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.ContainerSupport;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * Serves a {@link ChatWebSocket} in Jetty 12's ee10 Jakarta WebSocket container. The same servlet
 * context can serve static files and servlets next to the endpoint, on the same port (see {@link
 * Builder#customize}).
 *
 * <pre>{@code
 * try (JettyChatServerHost host = JettyChatServerHost.builder(ws).port(8080).build().start()) {
 *   // ws://localhost:8080/ws
 * }
 * }</pre>
 */
public final class JettyChatServerHost implements AutoCloseable {
  private final ChatWebSocket ws;
  private final String host;
  private final int requestedPort;
  private final int maxThreads;
  private final List<Consumer<ServletContextHandler>> customizers;
  private @Nullable Server server;
  private int port = -1;

  private JettyChatServerHost(Builder b) {
    this.ws = b.ws;
    this.host = b.host;
    this.requestedPort = b.port;
    this.maxThreads = b.maxThreads;
    this.customizers = List.copyOf(b.customizers);
  }

  /** A builder for a host serving {@code ws}; build {@code ws} with {@link #support()}. */
  public static Builder builder(ChatWebSocket ws) {
    return new Builder(ws);
  }

  /**
   * Jetty's answers to what the Jakarta API cannot say: a refused handshake is Jetty's {@code
   * HttpException} (the HTTP status is kept); the peer address is the user property Jetty sets.
   */
  public static ContainerSupport support() {
    return new ContainerSupport() {
      @Override
      public RuntimeException refusal(int status, String reason, HandshakeResponse response) {
        return new HttpException.RuntimeException(status, reason);
      }

      @Override
      public @Nullable String remoteAddress(ServerEndpointConfig config, HandshakeRequest request) {
        return ContainerSupport.userPropertyAddress(config);
      }
    };
  }

  /** Starts listening; returns this. */
  public synchronized JettyChatServerHost start() {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
    threads.setName("messagingkit-jetty");
    Server s = new Server(threads);
    ServerConnector connector = new ServerConnector(s);
    connector.setHost(host);
    connector.setPort(requestedPort);
    s.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    JakartaWebSocketServletContainerInitializer.configure(
        context,
        (servletContext, container) -> {
          container.setDefaultMaxTextMessageBufferSize(ws.settings().maxTextFrameBytes());
          container.setDefaultMaxSessionIdleTimeout(ws.settings().idleTimeout().toMillis());
          container.addEndpoint(ws.endpointConfig());
        });
    customizers.forEach(c -> c.accept(context));
    s.setHandler(context);
    try {
      s.start();
    } catch (Exception e) {
      try {
        s.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException("cannot start Jetty on " + host + ":" + requestedPort, e);
    }
    this.server = s;
    this.port = connector.getLocalPort();
    return this;
  }

  /** The port listened on (resolved when 0 was asked), or -1 before start. */
  public int port() {
    return port;
  }

  /** Stops Jetty and closes open connections. */
  @Override
  public synchronized void close() {
    Server s = server;
    server = null;
    if (s != null) {
      try {
        s.stop();
      } catch (Exception e) {
        throw new IllegalStateException("cannot stop Jetty", e);
      }
    }
  }

  /** Builds a {@link JettyChatServerHost}. */
  public static final class Builder {
    private final ChatWebSocket ws;
    private String host = "127.0.0.1";
    private int port = 8080;
    private int maxThreads = 32;
    private final List<Consumer<ServletContextHandler>> customizers = new ArrayList<>();

    private Builder(ChatWebSocket ws) {
      this.ws = Objects.requireNonNull(ws, "ws");
    }

    /** The interface to bind (default 127.0.0.1; 0.0.0.0 for all). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default 8080; 0 picks a free one). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The thread pool's maximum (default 32). */
    public Builder maxThreads(int threads) {
      this.maxThreads = threads;
      return this;
    }

    /**
     * Serves a {@code LocalFolderMediaStore}'s presigned upload and download URLs at {@code path}
     * (its base URI's path, e.g. {@code /media}), on the same port as the chat endpoint.
     */
    public Builder localMedia(
        String path, io.messagingkit.core.memory.LocalMediaHttpHandler handler) {
      Objects.requireNonNull(handler, "handler");
      String mount = path.endsWith("/") ? path + "*" : path + "/*";
      return customize(
          c ->
              c.addServlet(
                  new org.eclipse.jetty.ee10.servlet.ServletHolder(new LocalMediaServlet(handler)),
                  mount));
    }

    /** Adds servlets, filters or static resources to the context at {@code /}. */
    public Builder customize(Consumer<ServletContextHandler> customizer) {
      customizers.add(Objects.requireNonNull(customizer, "customizer"));
      return this;
    }

    public JettyChatServerHost build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads must be at least 8, got " + maxThreads);
      }
      return new JettyChatServerHost(this);
    }
  }
}
