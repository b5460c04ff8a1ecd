package io.messagingkit.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A device's registration on a chat server: the seed's session table row (user_id, device_id,
 * connected_to, connection_id, last_seen_timestamp), fenced by an epoch.
 *
 * @param device the registered device
 * @param serverId the chat server holding the connection
 * @param connectionId that server's id for the connection
 * @param lastSeen the last renewal; the lease lives while now - lastSeen is within the grace
 * @param epoch increases with every registration of the device; a lease with an older epoch is
 *     stale and can neither renew nor remove the newer one
 */
public record SessionLease(
    DeviceAddress device, String serverId, String connectionId, Instant lastSeen, long epoch) {
  public SessionLease {
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(connectionId, "connectionId");
    Objects.requireNonNull(lastSeen, "lastSeen");
    if (serverId.isEmpty()) {
      throw new IllegalArgumentException("serverId must not be empty");
    }
  }
}
