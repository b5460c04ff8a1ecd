package io.messagingkit.core.port;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.UserId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The devices each user has (one or more from day one, each with its own queue), known even while
 * offline, and the push target of each.
 *
 * <p>Thread-safe; blocking; throws {@link io.messagingkit.core.UnavailableException} when the
 * backend is down.
 */
public interface DeviceDirectory {

  /** Records the device; returns true the first time it is seen, false afterwards. */
  boolean register(DeviceAddress device);

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
}
