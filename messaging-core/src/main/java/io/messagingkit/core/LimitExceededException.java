package io.messagingkit.core;

/**
 * A per-user quota or resource limit of {@link ChatServerLimits} is reached; the message names the
 * limit, the usage and the setting. Not retryable as such: the usage has to fall first.
 */
public class LimitExceededException extends MessagingException {
  public LimitExceededException(String message) {
    super(ErrorCode.LIMIT_EXCEEDED, message);
  }
}
