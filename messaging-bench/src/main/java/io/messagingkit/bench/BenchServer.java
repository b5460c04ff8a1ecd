package io.messagingkit.bench;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.ChatServerSettings;
import io.messagingkit.transport.websocket.ChatWebSocket;
import io.messagingkit.transport.websocket.JwtAuthenticator;
import io.messagingkit.transport.websocket.WebSocketSettings;
import io.messagingkit.transport.websocket.jetty.JettyChatServerHost;
import io.messagingkit.transport.websocket.tyrus.TyrusChatServerHost;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A bench target: a {@link ChatServer} on its in-memory defaults (archive off) behind the chat
 * endpoint on Tyrus or Jetty, HS256 JWT authentication, limits opened for load (no per-connection
 * rate limit unless asked for one, no per-address connection cap, long idle timeout), and a {@link
 * StatsEndpoint}.
 */
public final class BenchServer implements AutoCloseable {
  /** Which WebSocket container hosts the endpoint. */
  public enum Container {
    TYRUS,
    JETTY
  }

  /**
   * How to start a bench server.
   *
   * @param container Tyrus or Jetty
   * @param port the WebSocket port (0: any)
   * @param statsPort the stats HTTP port (0: any, -1: none)
   * @param secret the HS256 secret (at least 32 bytes)
   * @param threads Tyrus worker threads or Jetty max threads (0: the host's default)
   * @param idleTimeout the idle timeout of connections (core and transport)
   * @param rateLimit inbound frames per second per connection, burst twice that (0: no limit)
   */
  public record Config(
      Container container,
      int port,
      int statsPort,
      String secret,
      int threads,
      Duration idleTimeout,
      int rateLimit) {
    /** A configuration without a rate limit. */
    public Config(
        Container container,
        int port,
        int statsPort,
        String secret,
        int threads,
        Duration idleTimeout) {
      this(container, port, statsPort, secret, threads, idleTimeout, 0);
    }

    public Config {
      Objects.requireNonNull(container, "container");
      Objects.requireNonNull(secret, "secret");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
      if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
        throw new IllegalArgumentException("secret must be at least 32 bytes");
      }
    }
  }

  private final ChatServer server;
  private final ChatWebSocket ws;
  private final AutoCloseable host;
  private final int port;
  private final @Nullable StatsEndpoint stats;

  private BenchServer(
      ChatServer server,
      ChatWebSocket ws,
      AutoCloseable host,
      int port,
      @Nullable StatsEndpoint stats) {
    this.server = server;
    this.ws = ws;
    this.host = host;
    this.port = port;
    this.stats = stats;
  }

  /** Starts a bench server. */
  public static BenchServer start(Config config) {
    Duration heartbeat = Duration.ofSeconds(5);
    Duration idle =
        config.idleTimeout().compareTo(heartbeat) > 0
            ? config.idleTimeout()
            : heartbeat.multipliedBy(3);
    ChatServer server =
        ChatServer.builder()
            .noArchive()
            .settings(ChatServerSettings.defaults().withHeartbeat(heartbeat, idle))
            .build()
            .start();
    JwtAuthenticator auth =
        JwtAuthenticator.builder()
            .hmacSecret(config.secret().getBytes(StandardCharsets.UTF_8))
            .issuer(Tokens.ISSUER)
            .audience(Tokens.AUDIENCE)
            .build();
    boolean tyrus = config.container() == Container.TYRUS;
    ChatWebSocket ws =
        ChatWebSocket.builder(server::connect, auth)
            .containerSupport(tyrus ? TyrusChatServerHost.support() : JettyChatServerHost.support())
            .settings(
                WebSocketSettings.builder()
                    .rateLimit(
                        config.rateLimit() > 0 ? config.rateLimit() : 1_000_000,
                        config.rateLimit() > 0 ? 2 * config.rateLimit() : 1_000_000)
                    .controlRateLimit(1_000_000, 1_000_000)
                    .inboundByteRate(1L << 30, 1L << 30)
                    .maxConnectionsPerAddress(1_000_000)
                    .idleTimeout(idle)
                    .build())
            .build();
    AutoCloseable host;
    int port;
    if (tyrus) {
      TyrusChatServerHost.Builder b = TyrusChatServerHost.builder(ws).port(config.port());
      if (config.threads() > 0) {
        b.workerThreads(config.threads());
      }
      TyrusChatServerHost h = b.build().start();
      host = h;
      port = h.port();
    } else {
      JettyChatServerHost.Builder b = JettyChatServerHost.builder(ws).port(config.port());
      if (config.threads() > 0) {
        b.maxThreads(config.threads());
      }
      JettyChatServerHost h = b.build().start();
      host = h;
      port = h.port();
    }
    @Nullable StatsEndpoint stats =
        config.statsPort() < 0
            ? null
            : StatsEndpoint.start(config.statsPort(), ws::openConnections);
    return new BenchServer(server, ws, host, port, stats);
  }

  /** The WebSocket port. */
  public int port() {
    return port;
  }

  /** The stats port, or -1 without a stats endpoint. */
  public int statsPort() {
    return stats == null ? -1 : stats.port();
  }

  /** The WebSocket URL on loopback. */
  public String url() {
    return "ws://127.0.0.1:" + port + "/ws";
  }

  /** Open WebSocket connections. */
  public int openConnections() {
    return ws.openConnections();
  }

  @Override
  public void close() {
    if (stats != null) {
      stats.close();
    }
    try {
      host.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the host", e);
    } finally {
      ws.close();
      server.close();
    }
  }
}
