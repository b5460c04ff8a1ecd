package io.messagingkit.core;

import org.jspecify.annotations.Nullable;

/**
 * The opt-in, sender-visible preview of a push (for example {@code "Alice: lunch at noon?"}). By
 * default a push carries no content and no sender name, only "new messages": the push provider sees
 * what a push carries, and the message body may be end-to-end encrypted anyway. A host that wants
 * previews (and accepts that the provider sees them) sets one with {@link
 * ChatServer.Builder#pushPreview(PushPreview)}. Called on the send path: keep it fast, never block.
 */
@FunctionalInterface
public interface PushPreview {

  /** The preview of {@code message} for its recipient, or null for none. */
  @Nullable String preview(Envelope message);

  /** No preview (the default). */
  static PushPreview none() {
    return message -> null;
  }
}
