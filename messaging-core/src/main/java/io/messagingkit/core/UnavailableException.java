package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/**
 * A backing service (database, broker, object store) failed or is unreachable. Nothing was accepted
 * by the failing call; the caller may retry.
 */
public class UnavailableException extends MessagingException {
  public UnavailableException(String message) {
    super(ErrorCode.UNAVAILABLE, message);
  }

  public UnavailableException(String message, @Nullable Throwable cause) {
    super(ErrorCode.UNAVAILABLE, message, cause);
  }
}
