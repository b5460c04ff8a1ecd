package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/** The thing to create already exists. */
public class ConflictException extends MessagingException {
  public ConflictException(String message) {
    super(ErrorCode.CONFLICT, message);
  }

  public ConflictException(String message, @Nullable Throwable cause) {
    super(ErrorCode.CONFLICT, message, cause);
  }
}
