package io.messagingkit.core;

/**
 * A message identifier chosen by the sending client, unique per sender: the idempotency key. A
 * resend with the same id is acknowledged again but never delivered twice. Ids that contain a colon
 * are reserved for the server (receipts); clients use letters, digits and {@code . _ @ + -}.
 *
 * @param value the identifier, 1 to 128 characters for client ids
 */
public record MessageId(String value) {
  public static final int MAX_LENGTH = 200;

  /** The longest id a client may choose; longer ids are reserved for server-made receipts. */
  public static final int MAX_CLIENT_LENGTH = 128;

  public MessageId {
    if (value == null) {
      throw new IllegalArgumentException("message id must not be null");
    }
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "message id must be 1.." + MAX_LENGTH + " characters, got " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '@'
              || c == '+'
              || c == '-'
              || c == ':';
      if (!ok) {
        throw new IllegalArgumentException(
            "message id contains an illegal character: '" + value + "'");
      }
    }
  }

  public static MessageId of(String value) {
    return new MessageId(value);
  }

  /** Whether this id was made by the server (a receipt), never by a client. */
  public boolean isServerGenerated() {
    return value.indexOf(':') >= 0;
  }

  @Override
  public String toString() {
    return value;
  }
}
