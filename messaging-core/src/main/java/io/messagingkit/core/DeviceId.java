package io.messagingkit.core;

/**
 * One device of a user (a phone, a browser, a desktop app). Each device has its own queue. Ids
 * starting with {@code '_'} are reserved and invalid (the former {@code _pending} queue among
 * them).
 *
 * @param value the identifier, unique per user
 */
public record DeviceId(String value) implements Comparable<DeviceId> {
  public static final int MAX_LENGTH = 64;

  public DeviceId {
    Ids.token("device id", value, MAX_LENGTH);
    if (value.startsWith("_")) {
      throw new IllegalArgumentException(
          "device ids starting with '_' are reserved, got '" + value + "'");
    }
  }

  public static DeviceId of(String value) {
    return new DeviceId(value);
  }

  @Override
  public int compareTo(DeviceId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
