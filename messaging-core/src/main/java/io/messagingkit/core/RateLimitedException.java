package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/** The caller sends faster than its limit allows. */
public class RateLimitedException extends MessagingException {
  public RateLimitedException(String message) {
    super(ErrorCode.RATE_LIMITED, message);
  }

  public RateLimitedException(String message, @Nullable Throwable cause) {
    super(ErrorCode.RATE_LIMITED, message, cause);
  }
}
