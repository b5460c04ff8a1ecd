package io.messagingkit.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-user quotas that keep the cost of every request bounded; immutable. {@link #defaults()} suits
 * a consumer chat service; pass changed values through {@code ChatServer.builder().limits(..)}.
 * Each limit is refused with {@link ErrorCode#LIMIT_EXCEEDED} and a message naming the setting.
 *
 * @param maxDevicesPerUser the most devices a user may have registered (every device gets its own
 *     copy of every message); a new device beyond it replaces the user's longest-unseen offline
 *     device, or is refused when all are connected
 * @param deviceRetention a device not connected for this long is removed with its queue
 * @param maxGroupsCreatedPerUser the most existing groups a user may have created
 * @param maxQueuedMessagesPerDevice a direct message or receipt to a device whose queue holds this
 *     many entries is refused to the sender
 * @param maxQueuedBytesPerDevice a direct message to a device whose queued bodies hold this many
 *     bytes is refused to the sender
 * @param uploadBytesPerWindow the most media bytes a user may be granted for upload per {@code
 *     uploadWindow} (counted at grant time, whether or not the upload happens)
 * @param uploadWindow the rolling window of {@code uploadBytesPerWindow}
 * @param maxUnfinishedUploads the most upload grants of a user that are neither complete nor
 *     expired
 */
public record ChatServerLimits(
    int maxDevicesPerUser,
    Duration deviceRetention,
    int maxGroupsCreatedPerUser,
    int maxQueuedMessagesPerDevice,
    long maxQueuedBytesPerDevice,
    long uploadBytesPerWindow,
    Duration uploadWindow,
    int maxUnfinishedUploads) {

  public ChatServerLimits {
    atLeast("maxDevicesPerUser", maxDevicesPerUser, 1);
    positive("deviceRetention", deviceRetention);
    atLeast("maxGroupsCreatedPerUser", maxGroupsCreatedPerUser, 0);
    atLeast("maxQueuedMessagesPerDevice", maxQueuedMessagesPerDevice, 1);
    atLeast("maxQueuedBytesPerDevice", maxQueuedBytesPerDevice, 1);
    atLeast("uploadBytesPerWindow", uploadBytesPerWindow, 0);
    positive("uploadWindow", uploadWindow);
    atLeast("maxUnfinishedUploads", maxUnfinishedUploads, 0);
  }

  /**
   * 5 devices per user, removed after 30 days unseen; 100 groups created per user; 10,000 entries
   * or 64 MiB queued per device; 1 GiB of uploads per user per day, at most 10 unfinished.
   */
  public static ChatServerLimits defaults() {
    return new ChatServerLimits(
        5,
        Duration.ofDays(30),
        100,
        10_000,
        64L * 1024 * 1024,
        1024L * 1024 * 1024,
        Duration.ofDays(1),
        10);
  }

  public ChatServerLimits withDevices(int maxPerUser, Duration retention) {
    return new ChatServerLimits(
        maxPerUser,
        retention,
        maxGroupsCreatedPerUser,
        maxQueuedMessagesPerDevice,
        maxQueuedBytesPerDevice,
        uploadBytesPerWindow,
        uploadWindow,
        maxUnfinishedUploads);
  }

  public ChatServerLimits withMaxGroupsCreatedPerUser(int max) {
    return new ChatServerLimits(
        maxDevicesPerUser,
        deviceRetention,
        max,
        maxQueuedMessagesPerDevice,
        maxQueuedBytesPerDevice,
        uploadBytesPerWindow,
        uploadWindow,
        maxUnfinishedUploads);
  }

  public ChatServerLimits withQueuePerDevice(int maxMessages, long maxBytes) {
    return new ChatServerLimits(
        maxDevicesPerUser,
        deviceRetention,
        maxGroupsCreatedPerUser,
        maxMessages,
        maxBytes,
        uploadBytesPerWindow,
        uploadWindow,
        maxUnfinishedUploads);
  }

  public ChatServerLimits withUploads(long bytesPerWindow, Duration window, int maxUnfinished) {
    return new ChatServerLimits(
        maxDevicesPerUser,
        deviceRetention,
        maxGroupsCreatedPerUser,
        maxQueuedMessagesPerDevice,
        maxQueuedBytesPerDevice,
        bytesPerWindow,
        window,
        maxUnfinished);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }
}
