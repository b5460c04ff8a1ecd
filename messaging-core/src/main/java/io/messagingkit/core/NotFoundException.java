package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/** The group, message or media object does not exist (or is not visible to the caller). */
public class NotFoundException extends MessagingException {
  public NotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }

  public NotFoundException(String message, @Nullable Throwable cause) {
    super(ErrorCode.NOT_FOUND, message, cause);
  }
}
