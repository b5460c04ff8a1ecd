package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception messagingkit throws. Adapters translate driver exceptions into a
 * subclass at the port boundary; the message says what failed and with which input.
 */
public class MessagingException extends RuntimeException {
  private final ErrorCode code;

  public MessagingException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public MessagingException(ErrorCode code, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The machine-readable error, as sent on the wire. */
  public ErrorCode code() {
    return code;
  }

  /** Whether the same request may succeed if retried later. */
  public boolean retryable() {
    return code.retryable();
  }
}
