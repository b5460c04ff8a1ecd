package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/** The request is malformed or breaks a limit. */
public class InvalidRequestException extends MessagingException {
  public InvalidRequestException(String message) {
    super(ErrorCode.INVALID_REQUEST, message);
  }

  public InvalidRequestException(String message, @Nullable Throwable cause) {
    super(ErrorCode.INVALID_REQUEST, message, cause);
  }
}
