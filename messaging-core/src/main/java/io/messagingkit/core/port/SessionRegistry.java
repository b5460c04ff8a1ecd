package io.messagingkit.core.port;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Presence;
import io.messagingkit.core.SessionLease;
import io.messagingkit.core.UserId;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which device is connected to which chat server: the seed's session table, held as leases that
 * chat servers renew in batches. A lease whose {@code lastSeen} is older than the registry's grace
 * period is dead: it is no longer returned by lookups, and {@link #sweepExpired()} removes it and
 * publishes the resulting presence change. Soft state: losing the registry loses no message (an
 * unknown location means "offline": store and push), and it rebuilds from renewals and reconnects.
 *
 * <p>Thread-safe. Every method may block on I/O and throws {@link
 * io.messagingkit.core.UnavailableException} when the backend is unreachable.
 */
public interface SessionRegistry extends AutoCloseable {

  /**
   * Registers a connection of {@code device}, replacing any earlier registration of the same
   * device. The returned lease carries an epoch strictly greater than every earlier epoch of that
   * device, and {@code lastSeen} equal to now. If this makes the user go from offline to online,
   * listeners are told.
   */
  SessionLease register(DeviceAddress device, String serverId, String connectionId);

  /**
   * Renews the given leases (last seen := now, never moving backwards). Returns the leases that
   * could not be renewed because a newer registration replaced them or they expired; the caller
   * should close those connections. Batched: one round trip where the backend allows it.
   */
  Set<SessionLease> renew(Collection<SessionLease> leases);

  /**
   * Removes the registration if {@code lease} is still the current one (same epoch); a stale lease
   * removes nothing. Records last seen = now. If the user has no other live device, listeners are
   * told the user went offline. Idempotent.
   */
  void unregister(SessionLease lease);

  /** The live lease of a device, or empty when it has none (never registered, gone, expired). */
  Optional<SessionLease> find(DeviceAddress device);

  /** The live leases of every device of {@code user}; an empty list when none. */
  List<SessionLease> findAll(UserId user);

  /**
   * {@link #findAll} of each of {@code users}: every user given is a key (mapped to an empty list
   * when it has no live lease). A registry may answer all of them in one round trip; the default
   * asks one by one.
   */
  default Map<UserId, List<SessionLease>> findAllOf(Collection<UserId> users) {
    Map<UserId, List<SessionLease>> result = new HashMap<>();
    for (UserId user : users) {
      result.computeIfAbsent(user, this::findAll);
    }
    return result;
  }

  /**
   * The user's presence: online while a live lease exists; otherwise offline with the last time a
   * device was seen (null if never). Last seen never moves backwards.
   */
  Presence presence(UserId user);

  /**
   * Removes every lease that outlived the grace period (a chat server that crashed stops renewing)
   * and tells listeners of the users that went offline. Safe to call from every chat server
   * concurrently; returns the number of leases removed by this call.
   */
  int sweepExpired();

  /**
   * Subscribes to presence changes of every user, made on any chat server that shares this
   * registry. Listeners run on a registry thread and must not block. Closing the handle
   * unsubscribes.
   */
  AutoCloseable subscribe(PresenceListener listener);

  /** Called with each presence change. */
  @FunctionalInterface
  interface PresenceListener {
    void presenceChanged(Presence presence);
  }

  /** Last-seen of a user at a point in time; convenience for adapters. */
  static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  default void close() {}
}
