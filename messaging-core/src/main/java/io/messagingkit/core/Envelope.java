package io.messagingkit.core;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message (or a receipt) as the server carries it. The body is opaque: the server never
 * interprets it, so an end-to-end encrypted payload needs no protocol change.
 *
 * @param id the sender-chosen id; with {@code sender.user()} the idempotency key
 * @param sender the device that sent it (authenticated, never taken from the client's word)
 * @param recipient a user or a group
 * @param type what the body holds
 * @param body the opaque payload; never null, may be empty (receipts)
 * @param media the referenced media object for {@link MessageType#MEDIA}, otherwise null
 * @param refersTo for receipts, the id of the message they acknowledge; otherwise null
 * @param clientTimestamp when the client says it sent the message
 * @param serverTimestamp when the chat server accepted it
 * @param serverSequence a server-wide increasing number assigned at first acceptance; 0 until then
 */
public record Envelope(
    MessageId id,
    DeviceAddress sender,
    Recipient recipient,
    MessageType type,
    byte[] body,
    @Nullable MediaRef media,
    @Nullable MessageId refersTo,
    Instant clientTimestamp,
    Instant serverTimestamp,
    long serverSequence) {

  public Envelope {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(clientTimestamp, "clientTimestamp");
    Objects.requireNonNull(serverTimestamp, "serverTimestamp");
    if (type == MessageType.MEDIA && media == null) {
      throw new IllegalArgumentException("a MEDIA message needs a media reference");
    }
    if (type.isReceipt() != (refersTo != null)) {
      throw new IllegalArgumentException("refersTo is required for receipts and only for receipts");
    }
    if (serverSequence < 0) {
      throw new IllegalArgumentException("server sequence must not be negative");
    }
  }

  /** The user who sent it. */
  public UserId from() {
    return sender.user();
  }

  /** A copy with the server sequence set. */
  public Envelope withServerSequence(long sequence) {
    return new Envelope(
        id,
        sender,
        recipient,
        type,
        body,
        media,
        refersTo,
        clientTimestamp,
        serverTimestamp,
        sequence);
  }

  /** The conversation this envelope belongs to, seen from {@code viewer}. */
  public Conversation conversationFor(UserId viewer) {
    if (recipient instanceof Recipient.ToGroup g) {
      return Conversation.group(g.group());
    }
    UserId to = ((Recipient.ToUser) recipient).user();
    return Conversation.direct(viewer, viewer.equals(from()) ? to : from());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e
        && id.equals(e.id)
        && sender.equals(e.sender)
        && recipient.equals(e.recipient)
        && type == e.type
        && Arrays.equals(body, e.body)
        && Objects.equals(media, e.media)
        && Objects.equals(refersTo, e.refersTo)
        && clientTimestamp.equals(e.clientTimestamp)
        && serverTimestamp.equals(e.serverTimestamp)
        && serverSequence == e.serverSequence;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, sender, recipient, type, Arrays.hashCode(body), serverSequence);
  }

  @Override
  public String toString() {
    return "Envelope[id="
        + id
        + ", sender="
        + sender
        + ", recipient="
        + recipient
        + ", type="
        + type
        + ", body="
        + body.length
        + " bytes, refersTo="
        + refersTo
        + ", seq="
        + serverSequence
        + "]";
  }
}
