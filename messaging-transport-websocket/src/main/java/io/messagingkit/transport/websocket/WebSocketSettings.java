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
 * @param maxOutboundBytesPerConnection encoded bytes queued or being written to one connection
 *     before it counts as a slow consumer and is closed with 4004 (one frame always fits an empty
 *     queue). A reconnecting device with a backlog is sent up to the chat server's delivery window
 *     ({@code ChatServerSettings.deliveryWindow}, 256) at once: keep window times typical message
 *     size under this bound, or lower the window
 * @param maxOutboundBytes encoded bytes queued for all connections together; a connection whose
 *     frame would pass it is closed with 4004
 * @param messagesPerSecond the sustained rate of request frames (everything but ACK and HEARTBEAT)
 *     per user, shared by all the user's connections and devices and kept across reconnects
 * @param burst the request-frame burst per user
 * @param controlPerSecond the sustained rate of ACK and HEARTBEAT frames per user (their own
 *     bucket)
 * @param controlBurst the ACK and HEARTBEAT burst per user
 * @param inboundBytesPerSecond the sustained inbound text bytes per user (all frames)
 * @param inboundBytesBurst the inbound byte burst per user; at least {@code maxTextFrameBytes}
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
    long maxOutboundBytesPerConnection,
    long maxOutboundBytes,
    int messagesPerSecond,
    int burst,
    int controlPerSecond,
    int controlBurst,
    long inboundBytesPerSecond,
    long inboundBytesBurst,
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

  /**
   * The defaults: 64 KiB frames; per user 20 request frames/s (burst 40), 1,000 ACK/HEARTBEAT
   * frames/s (burst 2,000) and 256 KiB/s inbound (burst 1 MiB); 1 MiB outbound per connection and
   * the smaller of 256 MiB and a quarter of the maximum heap for all connections; 60 s idle, 25 s
   * pings, 5 s heartbeat.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link WebSocketSettings}; {@link #build()} checks every value. */
  public static final class Builder {
    private String path = "/ws";
    private final Set<String> allowedOrigins = new LinkedHashSet<>();
    private int maxTextFrameBytes = 64 * 1024;
    private long maxOutboundBytesPerConnection = 1L << 20;
    private long maxOutboundBytes = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);
    private int messagesPerSecond = 20;
    private int burst = 40;
    private int controlPerSecond = 1_000;
    private int controlBurst = 2_000;
    private long inboundBytesPerSecond = 256L << 10;
    private long inboundBytesBurst = 1L << 20;
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

    /**
     * Encoded bytes held for one connection before it is closed as a slow consumer (default 1 MiB).
     */
    public Builder maxOutboundBytesPerConnection(long bytes) {
      this.maxOutboundBytesPerConnection = bytes;
      return this;
    }

    /**
     * Encoded bytes held for all connections together (default the smaller of 256 MiB and a quarter
     * of the maximum heap).
     */
    public Builder maxOutboundBytes(long bytes) {
      this.maxOutboundBytes = bytes;
      return this;
    }

    /**
     * The rate limit of request frames per user, across all its connections and reconnects (default
     * 20 frames/s, burst 40). ACK and HEARTBEAT are limited by {@link #controlRateLimit}.
     */
    public Builder rateLimit(int messagesPerSecond, int burst) {
      this.messagesPerSecond = messagesPerSecond;
      this.burst = burst;
      return this;
    }

    /** The rate limit of ACK and HEARTBEAT frames per user (default 1,000/s, burst 2,000). */
    public Builder controlRateLimit(int perSecond, int burst) {
      this.controlPerSecond = perSecond;
      this.controlBurst = burst;
      return this;
    }

    /** Inbound text bytes per user (default 256 KiB/s, burst 1 MiB). */
    public Builder inboundByteRate(long bytesPerSecond, long burstBytes) {
      this.inboundBytesPerSecond = bytesPerSecond;
      this.inboundBytesBurst = burstBytes;
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
      positive("maxOutboundBytesPerConnection", maxOutboundBytesPerConnection);
      positive("maxOutboundBytes", maxOutboundBytes);
      positive("rateLimit.messagesPerSecond", messagesPerSecond);
      positive("rateLimit.burst", burst);
      positive("controlRateLimit.perSecond", controlPerSecond);
      positive("controlRateLimit.burst", controlBurst);
      positive("inboundByteRate.bytesPerSecond", inboundBytesPerSecond);
      if (inboundBytesBurst < maxTextFrameBytes) {
        throw new IllegalArgumentException(
            "inboundByteRate.burstBytes must be at least maxTextFrameBytes ("
                + maxTextFrameBytes
                + "), got "
                + inboundBytesBurst);
      }
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
          maxOutboundBytesPerConnection,
          maxOutboundBytes,
          messagesPerSecond,
          burst,
          controlPerSecond,
          controlBurst,
          inboundBytesPerSecond,
          inboundBytesBurst,
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

    private static void positive(String name, long value) {
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
