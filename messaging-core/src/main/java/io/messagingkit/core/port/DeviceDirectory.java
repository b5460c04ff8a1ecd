package io.messagingkit.core.port;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.UserId;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices each user has (one or more from day one, each with its own queue), known even while
 * offline, and the push target of each.
 *
 * <p>Each device carries the time it was last seen (connected or disconnected), so a chat server
 * can cap the devices per user and remove devices unseen for a retention period.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface DeviceDirectory {

  /**
   * Records the device as seen now by the system clock, with no cap on the user's devices; returns
   * true the first time it is seen, false afterwards. Servers use {@link #register(DeviceAddress,
   * Instant, int)}.
   */
  default boolean register(DeviceAddress device) {
    return register(device, Instant.now(), Integer.MAX_VALUE) == Registration.NEW;
  }

  /**
   * Records the device as seen at {@code seenAt}. A device already known is {@link
   * Registration#KNOWN} (its last-seen time moves to {@code seenAt}); a new one is added and {@link
   * Registration#NEW} unless its user already has {@code maxDevices} devices: then nothing changes
   * and the answer is {@link Registration#FULL}. Atomic per user: concurrent registrations of new
   * devices never leave a user with more than {@code maxDevices}.
   */
  Registration register(DeviceAddress device, Instant seenAt, int maxDevices);

  /**
   * Moves the last-seen time of a known device to {@code seenAt} (never backwards); returns whether
   * the device is known. An unknown device is not added.
   */
  boolean touch(DeviceAddress device, Instant seenAt);

  /** The user's devices with their last-seen times, ordered by id; empty for an unknown user. */
  Map<DeviceId, Instant> lastSeen(UserId user);

  /**
   * Up to {@code limit} devices, of any user, last seen before {@code cutoff}, oldest first; an
   * empty list when there are none. Used to expire devices (then {@link #remove} each).
   */
  List<DeviceAddress> unseenSince(Instant cutoff, int limit);

  /** The user's devices ordered by id; an empty list for an unknown user. */
  List<DeviceId> devices(UserId user);

  /**
   * {@link #devices} of each of {@code users}: every user given is a key (an unknown user maps to
   * an empty list). A directory may answer all of them with one lookup; the default asks one by
   * one.
   */
  default Map<UserId, List<DeviceId>> devicesOf(Collection<UserId> users) {
    Map<UserId, List<DeviceId>> result = new HashMap<>();
    for (UserId user : users) {
      result.computeIfAbsent(user, this::devices);
    }
    return result;
  }

  /** Removes the device and its push target; returns whether it was known. */
  boolean remove(DeviceAddress device);

  /** Sets (replacing any earlier) the device's push target. The device must be registered. */
  void setPushTarget(DeviceAddress device, PushTarget target);

  /** The device's push target, or empty if it has none. */
  Optional<PushTarget> pushTarget(DeviceAddress device);

  /**
   * Removes the push target if it is still {@code target} (a newer registration is kept); returns
   * whether one was removed. Used when the provider says the token is gone.
   */
  boolean clearPushTarget(DeviceAddress device, PushTarget target);

  /** The outcome of {@link #register(DeviceAddress, Instant, int)}. */
  enum Registration {
    /** The device was added. */
    NEW,
    /** The device was known; its last-seen time was updated. */
    KNOWN,
    /** The device is new and its user already has the maximum; nothing changed. */
    FULL
  }
}
