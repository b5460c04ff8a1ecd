package io.messagingkit.transport.websocket;

import io.messagingkit.core.DeviceConnection;

/** The WebSocket close codes the chat endpoint uses (documented in {@code docs/protocol.md}). */
public final class CloseCodes {
  /** Normal closure. */
  public static final int NORMAL = 1000;

  /** The server is shutting down; reconnect (elsewhere). */
  public static final int GOING_AWAY = 1001;

  /** The client broke the protocol beyond what an error frame can answer. */
  public static final int PROTOCOL_ERROR = 1002;

  /** The client sent a binary frame; protocol v1 is text only. */
  public static final int UNSUPPORTED_DATA = 1003;

  /**
   * Policy violation: continued abuse of the rate limit, too many connections per address, or a
   * connection refused for good (e.g. {@code limit_exceeded}: the user has the maximum of devices,
   * all connected).
   */
  public static final int POLICY_VIOLATION = 1008;

  /** A text frame was larger than the configured maximum. */
  public static final int MESSAGE_TOO_BIG = 1009;

  /** An unexpected server fault; reconnect with backoff. */
  public static final int INTERNAL_ERROR = 1011;

  /** The credentials were revoked or expired; do not reconnect with the same token. */
  public static final int UNAUTHORIZED = 4001;

  /** The same device connected again; this connection is stale. Do not reconnect automatically. */
  public static final int REPLACED = 4002;

  /** No heartbeat within the grace period. */
  public static final int IDLE = 4003;

  /** The client did not read fast enough; its outbound queue filled up. */
  public static final int SLOW_CONSUMER = 4004;

  /** The credentials the connection was opened with expired; reconnect with a fresh token. */
  public static final int CREDENTIALS_EXPIRED = 4005;

  private CloseCodes() {}

  /** The close code for a core close reason. */
  public static int of(DeviceConnection.CloseReason reason) {
    return switch (reason) {
      case GOING_AWAY -> GOING_AWAY;
      case REPLACED -> REPLACED;
      case IDLE -> IDLE;
      case SLOW_CONSUMER -> SLOW_CONSUMER;
      case PROTOCOL_ERROR -> PROTOCOL_ERROR;
      case UNAUTHORIZED -> UNAUTHORIZED;
    };
  }
}
