package io.messagingkit.core.memory;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.Presence;
import io.messagingkit.core.SessionLease;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SessionRegistry} for one process. Presence listeners are called in order on one registry
 * thread. Thread-safe.
 */
public final class InMemorySessionRegistry implements SessionRegistry {

  private static final Logger log = LoggerFactory.getLogger(InMemorySessionRegistry.class);

  private final Clock clock;
  private final Duration grace;
  private final Map<UserId, Map<DeviceId, SessionLease>> leases = new HashMap<>();
  private final Map<UserId, Instant> lastSeen = new HashMap<>();
  private final List<PresenceListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService notifier;
  private long epochs;

  private InMemorySessionRegistry(Builder builder) {
    this.clock = builder.clock;
    this.grace = builder.grace;
    this.notifier =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "messagingkit-presence");
              t.setDaemon(true);
              return t;
            });
  }

  /** A registry on the system clock with a 15-second grace. */
  public static InMemorySessionRegistry create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public SessionLease register(DeviceAddress device, String serverId, String connectionId) {
    Instant now = clock.instant();
    SessionLease lease;
    boolean cameOnline;
    synchronized (this) {
      cameOnline = liveLeases(device.user(), now).isEmpty();
      lease = new SessionLease(device, serverId, connectionId, now, ++epochs);
      leases.computeIfAbsent(device.user(), u -> new HashMap<>()).put(device.device(), lease);
      touch(device.user(), now);
    }
    if (cameOnline) {
      publish(new Presence(device.user(), true, now));
    }
    return lease;
  }

  @Override
  public Set<SessionLease> renew(Collection<SessionLease> toRenew) {
    Instant now = clock.instant();
    Set<SessionLease> stale = new HashSet<>();
    synchronized (this) {
      for (SessionLease lease : toRenew) {
        Map<DeviceId, SessionLease> devices = leases.get(lease.device().user());
        SessionLease current = devices == null ? null : devices.get(lease.device().device());
        if (current == null || current.epoch() != lease.epoch() || expired(current, now)) {
          stale.add(lease);
          continue;
        }
        Instant seen = SessionRegistry.max(current.lastSeen(), now);
        devices.put(
            lease.device().device(),
            new SessionLease(
                current.device(),
                current.serverId(),
                current.connectionId(),
                seen,
                current.epoch()));
        touch(lease.device().user(), seen);
      }
    }
    return stale;
  }

  @Override
  public void unregister(SessionLease lease) {
    Instant now = clock.instant();
    Presence wentOffline = null;
    synchronized (this) {
      UserId user = lease.device().user();
      Map<DeviceId, SessionLease> devices = leases.get(user);
      SessionLease current = devices == null ? null : devices.get(lease.device().device());
      if (current == null || current.epoch() != lease.epoch()) {
        return;
      }
      boolean wasOnline = !liveLeases(user, now).isEmpty();
      devices.remove(lease.device().device());
      if (devices.isEmpty()) {
        leases.remove(user);
      }
      Instant seen = touch(user, expired(current, now) ? current.lastSeen() : now);
      if (wasOnline && liveLeases(user, now).isEmpty()) {
        wentOffline = new Presence(user, false, seen);
      }
    }
    if (wentOffline != null) {
      publish(wentOffline);
    }
  }

  @Override
  public synchronized Optional<SessionLease> find(DeviceAddress device) {
    Map<DeviceId, SessionLease> devices = leases.get(device.user());
    SessionLease lease = devices == null ? null : devices.get(device.device());
    return lease == null || expired(lease, clock.instant()) ? Optional.empty() : Optional.of(lease);
  }

  @Override
  public synchronized List<SessionLease> findAll(UserId user) {
    return liveLeases(user, clock.instant());
  }

  @Override
  public synchronized Presence presence(UserId user) {
    Instant now = clock.instant();
    List<SessionLease> live = liveLeases(user, now);
    Instant seen = lastSeen.get(user);
    for (SessionLease lease : live) {
      seen = seen == null ? lease.lastSeen() : SessionRegistry.max(seen, lease.lastSeen());
    }
    return new Presence(user, !live.isEmpty(), seen);
  }

  @Override
  public int sweepExpired() {
    Instant now = clock.instant();
    List<Presence> offline = new ArrayList<>();
    int removed = 0;
    synchronized (this) {
      for (var it = leases.entrySet().iterator(); it.hasNext(); ) {
        var entry = it.next();
        Map<DeviceId, SessionLease> devices = entry.getValue();
        Instant newest = null;
        int before = devices.size();
        for (var d = devices.values().iterator(); d.hasNext(); ) {
          SessionLease lease = d.next();
          if (expired(lease, now)) {
            newest =
                newest == null ? lease.lastSeen() : SessionRegistry.max(newest, lease.lastSeen());
            d.remove();
          }
        }
        removed += before - devices.size();
        if (newest != null && devices.isEmpty()) {
          it.remove();
          offline.add(new Presence(entry.getKey(), false, touch(entry.getKey(), newest)));
        }
      }
    }
    offline.forEach(this::publish);
    return removed;
  }

  @Override
  public AutoCloseable subscribe(PresenceListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    notifier.shutdown();
  }

  private List<SessionLease> liveLeases(UserId user, Instant now) {
    Map<DeviceId, SessionLease> devices = leases.get(user);
    if (devices == null) {
      return List.of();
    }
    List<SessionLease> live = new ArrayList<>(devices.size());
    for (SessionLease lease : devices.values()) {
      if (!expired(lease, now)) {
        live.add(lease);
      }
    }
    live.sort((a, b) -> a.device().device().value().compareTo(b.device().device().value()));
    return live;
  }

  private boolean expired(SessionLease lease, Instant now) {
    return lease.lastSeen().plus(grace).isBefore(now);
  }

  /** Moves the user's last seen forward (never backwards); returns the resulting value. */
  private Instant touch(UserId user, Instant seen) {
    return lastSeen.merge(user, seen, SessionRegistry::max);
  }

  private void publish(Presence presence) {
    try {
      notifier.execute(
          () -> {
            for (PresenceListener listener : listeners) {
              try {
                listener.presenceChanged(presence);
              } catch (RuntimeException e) {
                log.warn("presence listener failed for {}", presence.user(), e);
              }
            }
          });
    } catch (RejectedExecutionException closed) {
      log.debug("registry closed; presence change of {} not published", presence.user());
    }
  }

  /** Settings of an {@link InMemorySessionRegistry}. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Duration grace = Duration.ofSeconds(15);

    private Builder() {}

    /** The clock that stamps last seen and decides expiry. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How long a lease stays live without renewal (default 15 s). */
    public Builder grace(Duration grace) {
      this.grace = Objects.requireNonNull(grace, "grace");
      return this;
    }

    public InMemorySessionRegistry build() {
      if (grace.isNegative() || grace.isZero()) {
        throw new IllegalArgumentException("grace must be positive, got " + grace);
      }
      return new InMemorySessionRegistry(this);
    }
  }
}
