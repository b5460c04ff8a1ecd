package io.messagingkit.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The tunables of a {@link ChatServer}; immutable. {@link #defaults()} gives the values the seed
 * design describes (5 s heartbeats, 15 s grace).
 *
 * @param heartbeatInterval how often the server renews its leases and clients send heartbeats
 * @param idleTimeout a connection without any client activity for this long is closed
 * @param maxBodyBytes the largest message body accepted
 * @param maxGroupSize the most members a group may have
 * @param maxHistoryPage the largest history page a client may ask for
 * @param drainPageSize how many queued messages are read from the offline store at a time
 * @param deliveryWindow how many messages may be in flight to a device (sent, not yet acknowledged)
 *     before draining its queue pauses
 * @param pushCoalesceWindow at most one push per device per this window
 * @param pushAfterCloseDelay after a connection closes with messages unacknowledged, push after
 *     this delay if the device is still offline
 * @param dedupeRetention how long (sender, message id) pairs are remembered for dedupe
 * @param deliveryWindowBytes how many bytes of message bodies may be in flight to a device (sent,
 *     not yet acknowledged) before further deliveries wait; at least one message is always let
 *     through. Keeps a device's outbound buffer in the transport bounded in bytes, not only counts.
 */
public record ChatServerSettings(
    Duration heartbeatInterval,
    Duration idleTimeout,
    int maxBodyBytes,
    int maxGroupSize,
    int maxHistoryPage,
    int drainPageSize,
    int deliveryWindow,
    Duration pushCoalesceWindow,
    Duration pushAfterCloseDelay,
    Duration dedupeRetention,
    long deliveryWindowBytes) {

  public ChatServerSettings {
    positive("heartbeatInterval", heartbeatInterval);
    positive("idleTimeout", idleTimeout);
    positive("pushCoalesceWindow", pushCoalesceWindow);
    positive("pushAfterCloseDelay", pushAfterCloseDelay);
    positive("dedupeRetention", dedupeRetention);
    if (idleTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException(
          "idleTimeout ("
              + idleTimeout
              + ") must exceed heartbeatInterval ("
              + heartbeatInterval
              + ")");
    }
    atLeast("maxBodyBytes", maxBodyBytes, 1);
    atLeast("maxGroupSize", maxGroupSize, 2);
    atLeast("maxHistoryPage", maxHistoryPage, 1);
    atLeast("drainPageSize", drainPageSize, 1);
    atLeast("deliveryWindow", deliveryWindow, 1);
    if (deliveryWindowBytes < 1) {
      throw new IllegalArgumentException(
          "deliveryWindowBytes must be at least 1, got " + deliveryWindowBytes);
    }
  }

  /** 5 s heartbeats, 15 s idle timeout, 64 KiB bodies, groups of up to 1024. */
  public static ChatServerSettings defaults() {
    return new ChatServerSettings(
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        64 * 1024,
        1024,
        100,
        200,
        256,
        Duration.ofSeconds(10),
        Duration.ofMinutes(1),
        Duration.ofDays(7),
        256 * 1024);
  }

  public ChatServerSettings withHeartbeat(Duration interval, Duration idle) {
    return new ChatServerSettings(
        interval,
        idle,
        maxBodyBytes,
        maxGroupSize,
        maxHistoryPage,
        drainPageSize,
        deliveryWindow,
        pushCoalesceWindow,
        pushAfterCloseDelay,
        dedupeRetention,
        deliveryWindowBytes);
  }

  public ChatServerSettings withMaxBodyBytes(int bytes) {
    return new ChatServerSettings(
        heartbeatInterval,
        idleTimeout,
        bytes,
        maxGroupSize,
        maxHistoryPage,
        drainPageSize,
        deliveryWindow,
        pushCoalesceWindow,
        pushAfterCloseDelay,
        dedupeRetention,
        deliveryWindowBytes);
  }

  public ChatServerSettings withDelivery(int drainPageSize, int deliveryWindow) {
    return new ChatServerSettings(
        heartbeatInterval,
        idleTimeout,
        maxBodyBytes,
        maxGroupSize,
        maxHistoryPage,
        drainPageSize,
        deliveryWindow,
        pushCoalesceWindow,
        pushAfterCloseDelay,
        dedupeRetention,
        deliveryWindowBytes);
  }

  public ChatServerSettings withPush(Duration coalesceWindow, Duration afterCloseDelay) {
    return new ChatServerSettings(
        heartbeatInterval,
        idleTimeout,
        maxBodyBytes,
        maxGroupSize,
        maxHistoryPage,
        drainPageSize,
        deliveryWindow,
        coalesceWindow,
        afterCloseDelay,
        dedupeRetention,
        deliveryWindowBytes);
  }

  public ChatServerSettings withDeliveryWindowBytes(long bytes) {
    return new ChatServerSettings(
        heartbeatInterval,
        idleTimeout,
        maxBodyBytes,
        maxGroupSize,
        maxHistoryPage,
        drainPageSize,
        deliveryWindow,
        pushCoalesceWindow,
        pushAfterCloseDelay,
        dedupeRetention,
        bytes);
  }

  private static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }
}
