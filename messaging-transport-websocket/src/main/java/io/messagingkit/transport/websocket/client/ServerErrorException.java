package io.messagingkit.transport.websocket.client;

import io.messagingkit.core.ErrorCode;
import io.messagingkit.core.MessagingException;
import org.jspecify.annotations.Nullable;

/** The server refused a request with an {@code ERROR} frame; {@link #code()} is its code. */
public final class ServerErrorException extends MessagingException {
  private final @Nullable String ref;

  public ServerErrorException(ErrorCode code, @Nullable String ref, String message) {
    super(code, code.wireName() + ": " + message);
    this.ref = ref;
  }

  /** The id of the refused message or request. */
  public @Nullable String ref() {
    return ref;
  }
}
