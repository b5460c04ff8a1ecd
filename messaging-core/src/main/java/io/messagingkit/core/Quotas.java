package io.messagingkit.core;

import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.core.port.DeviceDirectory.Registration;
import io.messagingkit.core.port.GroupDirectory;
import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.core.port.SessionRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user limits of {@link ChatServerLimits} on devices, recipients, queues and groups,
 * checked against the ports so that every chat server of a cluster sees the same usage.
 */
final class Quotas {

  private static final Logger log = LoggerFactory.getLogger(Quotas.class);
  private static final int EXPIRY_PAGE = 500;

  private final ChatServerLimits limits;
  private final Clock clock;
  private final DeviceDirectory devices;
  private final OfflineStore offline;
  private final SessionRegistry registry;
  private final GroupDirectory groups;

  Quotas(
      ChatServerLimits limits,
      Clock clock,
      DeviceDirectory devices,
      OfflineStore offline,
      SessionRegistry registry,
      GroupDirectory groups) {
    this.limits = limits;
    this.clock = clock;
    this.devices = devices;
    this.offline = offline;
    this.registry = registry;
    this.groups = groups;
  }

  /**
   * Registers a connecting device. A user at {@code maxDevicesPerUser} gets the new device in place
   * of the longest-unseen device that is not connected (removed with its queue); when every device
   * is connected the new one is refused.
   */
  void registerDevice(DeviceAddress device) {
    int max = limits.maxDevicesPerUser();
    for (int attempt = 0; attempt <= max; attempt++) {
      if (devices.register(device, clock.instant(), max) != Registration.FULL) {
        return;
      }
      Set<DeviceId> online = online(device.user());
      DeviceId oldest = null;
      Instant oldestSeen = Instant.MAX;
      for (Map.Entry<DeviceId, Instant> e : devices.lastSeen(device.user()).entrySet()) {
        if (!online.contains(e.getKey()) && e.getValue().isBefore(oldestSeen)) {
          oldest = e.getKey();
          oldestSeen = e.getValue();
        }
      }
      if (oldest == null) {
        throw new LimitExceededException(
            device.user()
                + " already has "
                + max
                + " devices, all connected (maxDevicesPerUser); disconnect one first");
      }
      DeviceAddress replaced = new DeviceAddress(device.user(), oldest);
      log.info(
          "{} replaces {}, unseen since {} (maxDevicesPerUser {})",
          device,
          replaced,
          oldestSeen,
          max);
      removeDevice(replaced);
    }
    throw new LimitExceededException(
        device.user() + " has " + max + " devices (maxDevicesPerUser) and keeps adding more");
  }

  /** Records that a device was seen now (it disconnected). */
  void deviceSeen(DeviceAddress device) {
    try {
      devices.touch(device, clock.instant());
    } catch (RuntimeException e) {
      log.warn("could not record when {} was last seen", device, e);
    }
  }

  /**
   * Removes every device not seen for {@code deviceRetention}, with its queue, except devices still
   * connected (their last-seen time moves to now). Returns how many were removed.
   */
  int expireDevices() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(limits.deviceRetention());
    int removed = 0;
    List<DeviceAddress> page;
    do {
      page = devices.unseenSince(cutoff, EXPIRY_PAGE);
      for (DeviceAddress device : page) {
        if (online(device.user()).contains(device.device())) {
          devices.touch(device, now);
        } else {
          removeDevice(device);
          removed++;
        }
      }
    } while (page.size() == EXPIRY_PAGE);
    if (removed > 0) {
      log.info("removed {} device(s) unseen for {}", removed, limits.deviceRetention());
    }
    return removed;
  }

  /**
   * Checks a direct message of {@code bodyBytes} to {@code to}: the user must exist (have a device)
   * and none of its devices' queues may be full.
   */
  void checkRecipient(UserId to, int bodyBytes) {
    List<DeviceId> theirs = devices.devices(to);
    if (theirs.isEmpty()) {
      throw new NotFoundException("user " + to + " does not exist (has no registered device)");
    }
    for (DeviceId id : theirs) {
      DeviceAddress device = new DeviceAddress(to, id);
      long depth = offline.depth(device);
      if (depth >= limits.maxQueuedMessagesPerDevice()) {
        throw new LimitExceededException(
            "a device of "
                + to
                + " has "
                + depth
                + " undelivered messages (maxQueuedMessagesPerDevice "
                + limits.maxQueuedMessagesPerDevice()
                + "); try again later");
      }
      long bytes = offline.queuedBytes(device);
      if (bytes + bodyBytes > limits.maxQueuedBytesPerDevice()) {
        throw new LimitExceededException(
            "a device of "
                + to
                + " has "
                + bytes
                + " bytes undelivered (maxQueuedBytesPerDevice "
                + limits.maxQueuedBytesPerDevice()
                + "); try again later");
      }
    }
  }

  /** Throws {@link NotFoundException} naming the first of {@code users} that has no device. */
  void requireUsers(Collection<UserId> users) {
    if (users.isEmpty()) {
      return;
    }
    Map<UserId, List<DeviceId>> known = devices.devicesOf(users);
    for (UserId user : users) {
      if (known.getOrDefault(user, List.of()).isEmpty()) {
        throw new NotFoundException("user " + user + " does not exist (has no registered device)");
      }
    }
  }

  /** Checks that {@code creator} may create one more group. */
  void checkGroupCreation(UserId creator) {
    int created = groups.countCreatedBy(creator);
    if (created >= limits.maxGroupsCreatedPerUser()) {
      throw new LimitExceededException(
          creator
              + " has created "
              + created
              + " groups (maxGroupsCreatedPerUser "
              + limits.maxGroupsCreatedPerUser()
              + ""
              + "); wait until some are deleted");
    }
  }

  private void removeDevice(DeviceAddress device) {
    devices.remove(device);
    offline.purge(device);
  }

  private Set<DeviceId> online(UserId user) {
    Set<DeviceId> online = new HashSet<>();
    for (SessionLease lease : registry.findAll(user)) {
      online.add(lease.device().device());
    }
    return online;
  }
}
