package io.messagingkit.core;

/** What an {@link Envelope} carries. The body is opaque to the server for every type. */
public enum MessageType {
  /** A text message (the body is UTF-8 text, or ciphertext the server cannot read). */
  TEXT,
  /** A media message: the body carries the client's key and digest, {@link MediaRef} the object. */
  MEDIA,
  /** A Signal-protocol ciphertext message; the body is the serialized ciphertext. */
  ENCRYPTED,
  /** A receipt: the recipient device received {@link Envelope#refersTo()}. */
  DELIVERED_RECEIPT,
  /** A receipt: the recipient user read {@link Envelope#refersTo()}. */
  READ_RECEIPT;

  public boolean isReceipt() {
    return this == DELIVERED_RECEIPT || this == READ_RECEIPT;
  }
}
