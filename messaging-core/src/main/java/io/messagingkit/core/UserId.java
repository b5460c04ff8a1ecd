package io.messagingkit.core;

/**
 * A user of the messaging system. Letters, digits and {@code . _ @ + -}, 1 to 64 characters.
 *
 * @param value the identifier
 */
public record UserId(String value) implements Comparable<UserId> {
  public static final int MAX_LENGTH = 64;

  public UserId {
    Ids.token("user id", value, MAX_LENGTH);
  }

  public static UserId of(String value) {
    return new UserId(value);
  }

  @Override
  public int compareTo(UserId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
