package io.messagingkit.core.media;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.MessagingException;
import org.jspecify.annotations.Nullable;

/**
 * An encrypted media blob does not match its digest, size or key: it was tampered with, truncated,
 * or the key is wrong. No plaintext was released.
 */
public class MediaIntegrityException extends MessagingException {
  public MediaIntegrityException(String message) {
    super(ErrorCode.INVALID_REQUEST, message);
  }

  public MediaIntegrityException(String message, @Nullable Throwable cause) {
    super(ErrorCode.INVALID_REQUEST, message, cause);
  }
}
