package io.messagingkit.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A wake-up for an offline device. It carries no message content by default.
 *
 * @param device the device to wake
 * @param collapseKey notifications with the same key replace each other at the provider
 * @param pending how many messages were waiting when it was sent (a hint)
 * @param preview an opt-in, sender-visible preview; null by default
 * @param timeToLive how long the provider should keep trying
 */
public record PushNotification(
    DeviceAddress device,
    String collapseKey,
    long pending,
    @Nullable String preview,
    Duration timeToLive) {
  public PushNotification {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(collapseKey, "collapseKey");
    Objects.requireNonNull(timeToLive, "timeToLive");
  }
}
