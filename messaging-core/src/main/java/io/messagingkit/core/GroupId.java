package io.messagingkit.core;

/**
 * A group conversation.
 *
 * @param value the identifier, 1 to 64 characters
 */
public record GroupId(String value) {
  public static final int MAX_LENGTH = 64;

  public GroupId {
    Ids.token("group id", value, MAX_LENGTH);
  }

  public static GroupId of(String value) {
    return new GroupId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
