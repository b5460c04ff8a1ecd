package io.messagingkit.core;

/**
 * The transport's side of one connected device: what the chat server needs to push to it. A
 * WebSocket endpoint, a test harness or any other transport implements it.
 *
 * <p>Implementations must be thread-safe and must never block: the chat server calls {@link #send}
 * from routing threads.
 */
public interface DeviceConnection {

  /** An id unique among this transport's live connections (used in the session registry). */
  String connectionId();

  /**
   * Queues {@code event} for the device without blocking. Returns false when the connection cannot
   * take it (its outbound queue is full or it is closed); the chat server then closes the
   * connection as a slow consumer. Nothing is lost either way: queued messages stay in the offline
   * store until the device acknowledges them.
   */
  boolean send(ServerEvent event);

  /** Closes the connection with a reason; idempotent. */
  void close(CloseReason reason, String detail);

  /** Why the server closes a connection; transports map each to their own close code. */
  enum CloseReason {
    /** The server is shutting down; reconnect elsewhere. */
    GOING_AWAY,
    /** The same device connected again elsewhere; this connection is stale. */
    REPLACED,
    /** No heartbeat within the grace period. */
    IDLE,
    /** The device does not read fast enough; its outbound queue filled up. */
    SLOW_CONSUMER,
    /** The device broke the protocol beyond what an error frame can answer. */
    PROTOCOL_ERROR,
    /** The device's credentials were revoked or expired. */
    UNAUTHORIZED
  }
}
