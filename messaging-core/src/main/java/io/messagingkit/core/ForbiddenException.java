package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/**
 * The authenticated user may not do this: act as another user, post to a group it is not a member
 * of, or change a group without admin rights.
 */
public class ForbiddenException extends MessagingException {
  public ForbiddenException(String message) {
    super(ErrorCode.FORBIDDEN, message);
  }

  public ForbiddenException(String message, @Nullable Throwable cause) {
    super(ErrorCode.FORBIDDEN, message, cause);
  }
}
