package io.messagingkit.transport.websocket;

import io.messagingkit.core.port.Authenticator;
import io.messagingkit.transport.websocket.protocol.WireCodec;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat endpoint, ready to deploy into any Jakarta WebSocket container: {@link
 * #endpointConfig()} is a programmatic {@link ServerEndpointConfig} for {@link ChatEndpoint} at
 * {@link WebSocketSettings#path()}, with subprotocol {@code messagingkit.v1} and a configurator
 * that authenticates before the upgrade. The launchers ({@code TyrusChatServerHost}, {@code
 * JettyChatServerHost}) deploy it for you.
 *
 * <pre>{@code
 * ChatWebSocket ws = ChatWebSocket.builder(chatServer::connect, authenticator)
 *     .settings(WebSocketSettings.builder().allowOrigins("https://chat.example").build())
 *     .build();
 * serverContainer.addEndpoint(ws.endpointConfig());
 * }</pre>
 *
 * <p>Owns one scheduler thread for WebSocket pings and forgetting idle users' rate limits; {@link
 * #close()} stops it. Holds the state shared by all its connections: the outbound byte budget and
 * the per-user rate limits. Thread-safe.
 */
public final class ChatWebSocket implements AutoCloseable {
  private final DeviceConnector connector;
  private final Authenticator authenticator;
  private final WebSocketSettings settings;
  private final ContainerSupport container;
  private final WireCodec codec = new WireCodec();
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refusedHandshakes = new AtomicLong();
  private final AtomicLong refusedOrigins = new AtomicLong();
  private final ServerEndpointConfig config;
  private final OutboundBudget outbound;
  private final UserRateLimits rateLimits;

  private ChatWebSocket(Builder b) {
    this.connector = b.connector;
    this.authenticator = b.authenticator;
    this.settings = b.settings;
    this.container = b.container;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "messagingkit-ws-ping");
              t.setDaemon(true);
              return t;
            });
    this.outbound = new OutboundBudget(settings.maxOutboundBytes());
    this.rateLimits = new UserRateLimits(settings);
    scheduler.scheduleWithFixedDelay(rateLimits::sweep, 5, 5, TimeUnit.SECONDS);
    this.config =
        ServerEndpointConfig.Builder.create(ChatEndpoint.class, settings.path())
            .subprotocols(List.of(WireCodec.SUBPROTOCOL))
            .configurator(new HandshakeConfigurator(this))
            .build();
  }

  /**
   * Starts a builder.
   *
   * @param connector where authenticated devices go, usually {@code chatServer::connect}
   * @param authenticator checks the handshake's credentials
   */
  public static Builder builder(DeviceConnector connector, Authenticator authenticator) {
    return new Builder(connector, authenticator);
  }

  /** The endpoint's configuration, to add to a {@code jakarta.websocket.server.ServerContainer}. */
  public ServerEndpointConfig endpointConfig() {
    return config;
  }

  /** The settings in force. */
  public WebSocketSettings settings() {
    return settings;
  }

  /** Open connections right now. */
  public int openConnections() {
    return open.get();
  }

  /**
   * Encoded bytes queued or being written to all connections right now (bounded by {@link
   * WebSocketSettings#maxOutboundBytes()}).
   */
  public long outboundBytes() {
    return outbound.held();
  }

  /** Handshakes refused so far (authentication, subprotocol, address cap). */
  public long refusedHandshakes() {
    return refusedHandshakes.get();
  }

  /** Handshakes refused for their Origin so far. */
  public long refusedOrigins() {
    return refusedOrigins.get();
  }

  /** Stops the ping scheduler. Open connections stay open until their container stops. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  DeviceConnector connector() {
    return connector;
  }

  Authenticator authenticator() {
    return authenticator;
  }

  ContainerSupport container() {
    return container;
  }

  WireCodec codec() {
    return codec;
  }

  OutboundBudget outboundBudget() {
    return outbound;
  }

  UserRateLimits rateLimits() {
    return rateLimits;
  }

  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  void refusedHandshake() {
    refusedHandshakes.incrementAndGet();
  }

  void refusedOrigin() {
    refusedOrigins.incrementAndGet();
  }

  boolean addressHasRoom(String address) {
    AtomicInteger n = perAddress.get(address);
    return n == null || n.get() < settings.maxConnectionsPerAddress();
  }

  /** Counts an opened connection from {@code address}; false if over the cap (not counted). */
  boolean acquireAddress(String address) {
    AtomicInteger n = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
    if (n.incrementAndGet() > settings.maxConnectionsPerAddress()) {
      releaseAddress(address);
      return false;
    }
    return true;
  }

  void releaseAddress(String address) {
    perAddress.computeIfPresent(address, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  void opened() {
    open.incrementAndGet();
  }

  void closed() {
    open.decrementAndGet();
  }

  /** Builds a {@link ChatWebSocket}. */
  public static final class Builder {
    private final DeviceConnector connector;
    private final Authenticator authenticator;
    private WebSocketSettings settings = WebSocketSettings.builder().build();
    private ContainerSupport container = ContainerSupport.generic();

    private Builder(DeviceConnector connector, Authenticator authenticator) {
      this.connector = Objects.requireNonNull(connector, "connector");
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    }

    /** The limits (default {@link WebSocketSettings#builder()}'s defaults). */
    public Builder settings(WebSocketSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** How to refuse a handshake and find the peer address (the launchers set this). */
    public Builder containerSupport(ContainerSupport container) {
      this.container = Objects.requireNonNull(container, "containerSupport");
      return this;
    }

    public ChatWebSocket build() {
      return new ChatWebSocket(this);
    }
  }
}
