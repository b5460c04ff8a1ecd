package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/** The credentials presented at the handshake were refused. */
public class AuthenticationException extends MessagingException {
  public AuthenticationException(String message) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }

  public AuthenticationException(String message, @Nullable Throwable cause) {
    super(ErrorCode.UNAUTHENTICATED, message, cause);
  }
}
