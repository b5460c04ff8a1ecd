package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.InMemorySessionRegistry;
import io.messagingkit.core.port.SessionRegistry;
import io.messagingkit.tck.MutableClock;
import io.messagingkit.tck.SessionRegistryContract;
import java.time.Duration;

class InMemorySessionRegistryContractTest extends SessionRegistryContract {

  private InMemorySessionRegistry shared;

  @Override
  protected SessionRegistry createRegistry(MutableClock clock, Duration grace) {
    // one process: every "server" of a test shares the same registry
    if (shared == null) {
      shared = InMemorySessionRegistry.builder().clock(clock).grace(grace).build();
      return shared;
    }
    return new SharedView(shared);
  }

  /** A second handle on the shared registry, as another chat server in the process sees it. */
  private record SharedView(InMemorySessionRegistry delegate) implements SessionRegistry {
    @Override
    public io.messagingkit.core.SessionLease register(
        io.messagingkit.core.DeviceAddress device, String serverId, String connectionId) {
      return delegate.register(device, serverId, connectionId);
    }

    @Override
    public java.util.Set<io.messagingkit.core.SessionLease> renew(
        java.util.Collection<io.messagingkit.core.SessionLease> leases) {
      return delegate.renew(leases);
    }

    @Override
    public void unregister(io.messagingkit.core.SessionLease lease) {
      delegate.unregister(lease);
    }

    @Override
    public java.util.Optional<io.messagingkit.core.SessionLease> find(
        io.messagingkit.core.DeviceAddress device) {
      return delegate.find(device);
    }

    @Override
    public java.util.List<io.messagingkit.core.SessionLease> findAll(
        io.messagingkit.core.UserId user) {
      return delegate.findAll(user);
    }

    @Override
    public io.messagingkit.core.Presence presence(io.messagingkit.core.UserId user) {
      return delegate.presence(user);
    }

    @Override
    public int sweepExpired() {
      return delegate.sweepExpired();
    }

    @Override
    public AutoCloseable subscribe(PresenceListener listener) {
      return delegate.subscribe(listener);
    }
  }
}
