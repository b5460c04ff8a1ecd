package io.messagingkit.core;

import java.util.Comparator;
import java.util.Objects;

/**
 * One device of one user: the unit that connects, has a queue and acknowledges receipt.
 *
 * @param user the owner
 * @param device the device of that user
 */
public record DeviceAddress(UserId user, DeviceId device) implements Comparable<DeviceAddress> {
  private static final Comparator<DeviceAddress> ORDER =
      Comparator.comparing(DeviceAddress::user).thenComparing(DeviceAddress::device);

  public DeviceAddress {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(device, "device");
  }

  public static DeviceAddress of(String user, String device) {
    return new DeviceAddress(UserId.of(user), DeviceId.of(device));
  }

  /** Parses the {@link #toString()} form {@code user/device}. */
  public static DeviceAddress parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("device address must be user/device, got '" + text + "'");
    }
    return of(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public int compareTo(DeviceAddress other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return user.value() + "/" + device.value();
  }
}
