package io.messagingkit.transport.websocket;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The chat endpoint's limits. Every container default that is unsafe for a public server is
 * replaced by an explicit value here.
 *
 * @param path the endpoint path, e.g. {@code /ws}
 * @param allowedOrigins the browser origins allowed to connect ({@code scheme://host[:port]}); a
 *     handshake with another {@code Origin} header is refused with HTTP 403. Handshakes without an
 *     {@code Origin} header (non-browser clients) are allowed. {@code *} allows every origin.
 * @param maxTextFrameBytes the largest text frame; larger ones close the connection with 1009
 * @param outboundQueueCapacity frames queued for one connection before it counts as a slow
 *     consumer; keep it above the chat server's delivery window ({@code
 *     ChatServerSettings.deliveryWindow}, 256 by default), which a reconnecting device with a
 *     backlog receives at once
 * @param messagesPerSecond the sustained inbound frame rate per connection
 * @param burst the inbound burst per connection
 * @param maxRateViolations frames refused for rate before the connection is closed with 1008
 * @param idleTimeout a connection with no traffic at all for this long is closed
 * @param pingInterval how often the server sends a WebSocket ping
 * @param heartbeatInterval the application heartbeat the server asks clients for (WELCOME)
 * @param maxConnectionsPerAddress live connections allowed from one remote address
 * @param clock the clock for rate limiting
 */
public record WebSocketSettings(
    String path,
    Set<String> allowedOrigins,
    int maxTextFrameBytes,
    int outboundQueueCapacity,
    int messagesPerSecond,
    int burst,
    int maxRateViolations,
    Duration idleTimeout,
    Duration pingInterval,
    Duration heartbeatInterval,
    int maxConnectionsPerAddress,
    Clock clock) {

  public WebSocketSettings {
    Objects.requireNonNull(path, "path");
    allowedOrigins = Set.copyOf(allowedOrigins);
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(pingInterval, "pingInterval");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(clock, "clock");
  }

  /** The defaults: 64 KiB frames, 20 msgs/s (burst 40), 60 s idle, 25 s pings, 5 s heartbeat. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link WebSocketSettings}; {@link #build()} checks every value. */
  public static final class Builder {
    private String path = "/ws";
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private int maxTextFrameBytes = 64 * 1024;
    private int outboundQueueCapacity = 1024;
    private int messagesPerSecond = 20;
    private int burst = 40;
    private int maxRateViolations = 20;
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration pingInterval = Duration.ofSeconds(25);
    private Duration heartbeatInterval = Duration.ofSeconds(5);
    private int maxConnectionsPerAddress = 64;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The endpoint path (default {@code /ws}). */
    public Builder path(String path) {
      this.path = path;
      return this;
    }

    /** Adds browser origins allowed to connect (default: none, so only non-browser clients). */
    public Builder allowOrigins(String... origins) {
      allowedOrigins.addAll(Set.of(origins));
      return this;
    }

    /** The largest text frame in bytes (default 64 KiB). */
    public Builder maxTextFrameBytes(int bytes) {
      this.maxTextFrameBytes = bytes;
      return this;
    }

    /** Frames queued per connection before it is closed as a slow consumer (default 1024). */
    public Builder outboundQueueCapacity(int frames) {
      this.outboundQueueCapacity = frames;
      return this;
    }

    /** The inbound rate limit per connection (default 20 frames/s, burst 40). */
    public Builder rateLimit(int messagesPerSecond, int burst) {
      this.messagesPerSecond = messagesPerSecond;
      this.burst = burst;
      return this;
    }

    /** Refused frames before the connection is closed with 1008 (default 20). */
    public Builder maxRateViolations(int violations) {
      this.maxRateViolations = violations;
      return this;
    }

    /** Closes connections without any traffic for this long (default 60 s). */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = timeout;
      return this;
    }

    /** How often the server pings (default 25 s). */
    public Builder pingInterval(Duration interval) {
      this.pingInterval = interval;
      return this;
    }

    /** The application heartbeat asked of clients (default 5 s). */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = interval;
      return this;
    }

    /** Live connections allowed per remote address (default 64). */
    public Builder maxConnectionsPerAddress(int connections) {
      this.maxConnectionsPerAddress = connections;
      return this;
    }

    /** The clock used for rate limiting (default UTC system clock). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Checks every setting and builds. */
    public WebSocketSettings build() {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with '/', got '" + path + "'");
      }
      positive("maxTextFrameBytes", maxTextFrameBytes);
      positive("outboundQueueCapacity", outboundQueueCapacity);
      positive("rateLimit.messagesPerSecond", messagesPerSecond);
      positive("rateLimit.burst", burst);
      positive("maxRateViolations", maxRateViolations);
      positive("maxConnectionsPerAddress", maxConnectionsPerAddress);
      positive("idleTimeout", idleTimeout);
      positive("pingInterval", pingInterval);
      positive("heartbeatInterval", heartbeatInterval);
      for (String origin : allowedOrigins) {
        if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
          throw new IllegalArgumentException(
              "allowOrigins: '" + origin + "' is not scheme://host[:port] or *");
        }
      }
      return new WebSocketSettings(
          path,
          allowedOrigins,
          maxTextFrameBytes,
          outboundQueueCapacity,
          messagesPerSecond,
          burst,
          maxRateViolations,
          idleTimeout,
          pingInterval,
          heartbeatInterval,
          maxConnectionsPerAddress,
          clock);
    }

    private static void positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
    }

    private static void positive(String name, Duration value) {
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
    }
  }
}
