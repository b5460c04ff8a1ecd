package io.messagingkit.core;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a client asks to send. The sender is never part of it: it is the authenticated device of the
 * session. A request that names a sender ({@code claimedSender}) other than the session's own user
 * is refused.
 *
 * @param id the client-chosen idempotency key
 * @param recipient a user or a group
 * @param type {@link MessageType#TEXT}, {@link MessageType#MEDIA} or {@link MessageType#ENCRYPTED}
 * @param body the opaque payload
 * @param media the media reference for {@link MessageType#MEDIA}
 * @param clientTimestamp the client's clock, or null to use the server's
 * @param claimedSender the sender the frame claims, if it claims one
 */
public record SendRequest(
    MessageId id,
    Recipient recipient,
    MessageType type,
    byte[] body,
    @Nullable MediaRef media,
    @Nullable Instant clientTimestamp,
    @Nullable UserId claimedSender) {

  public SendRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(body, "body");
    if (type.isReceipt()) {
      throw new IllegalArgumentException(
          "receipts are not sent with SEND; use acknowledge/markRead");
    }
    if (id.isServerGenerated() || id.value().length() > MessageId.MAX_CLIENT_LENGTH) {
      throw new IllegalArgumentException(
          "a client message id has at most "
              + MessageId.MAX_CLIENT_LENGTH
              + " characters and no ':'");
    }
    if (type == MessageType.MEDIA && media == null) {
      throw new IllegalArgumentException("a MEDIA message needs a media reference");
    }
  }

  public static SendRequest text(String id, Recipient to, String text) {
    return new SendRequest(
        MessageId.of(id),
        to,
        MessageType.TEXT,
        text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        null,
        null,
        null);
  }
}
