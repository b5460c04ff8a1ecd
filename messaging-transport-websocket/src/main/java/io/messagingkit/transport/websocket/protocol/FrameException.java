package io.messagingkit.transport.websocket.protocol;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.MessagingException;
import org.jspecify.annotations.Nullable;

/**
 * A frame could not be read: malformed JSON, an unknown {@code type}, a missing or wrong-typed
 * field, or a value outside its limits. The server answers it with an {@code ERROR} frame whose
 * {@code ref} is {@link #ref()}.
 */
public final class FrameException extends MessagingException {
  private final @Nullable String ref;

  public FrameException(ErrorCode code, @Nullable String ref, String message) {
    super(code, message);
    this.ref = ref;
  }

  /** The message id or request id of the offending frame, when it could be read. */
  public @Nullable String ref() {
    return ref;
  }
}
