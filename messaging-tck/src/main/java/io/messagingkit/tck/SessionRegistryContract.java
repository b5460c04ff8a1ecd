package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Presence;
import io.messagingkit.core.SessionLease;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.SessionRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link SessionRegistry}. Time is a {@link MutableClock} that the test moves; the
 * grace period is {@link #GRACE}. User names are unique per test, so adapters may share a backend
 * between tests.
 */
public abstract class SessionRegistryContract {

  /** The grace period the registry under test is created with. */
  protected static final Duration GRACE = Duration.ofSeconds(15);

  /** How long to wait for a presence notification. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  protected MutableClock clock;
  protected SessionRegistry registry;
  private final List<SessionRegistry> created = new ArrayList<>();
  private String run;

  /**
   * A registry on {@code clock} with grace {@link #GRACE}. Registries created within one test must
   * share their backend (they play several chat servers).
   */
  protected abstract SessionRegistry createRegistry(MutableClock clock, Duration grace);

  @BeforeEach
  void createRegistry() {
    clock =
        new MutableClock(
            Instant.parse("2026-06-01T12:00:00Z").plusMillis(System.nanoTime() % 1000));
    run = UUID.randomUUID().toString().substring(0, 8);
    registry = another();
  }

  @AfterEach
  void closeRegistries() {
    for (SessionRegistry r : created) {
      r.close();
    }
  }

  /** Another registry on the same backend and clock (another chat server). */
  protected SessionRegistry another() {
    SessionRegistry r = createRegistry(clock, GRACE);
    created.add(r);
    return r;
  }

  protected UserId user(String name) {
    return UserId.of(name + "-" + run);
  }

  protected DeviceAddress device(String user, String device) {
    return new DeviceAddress(user(user), io.messagingkit.core.DeviceId.of(device));
  }

  @Nested
  @DisplayName("registration")
  class Registration {

    @Test
    @DisplayName("register returns a lease with now as last seen, found by device and by user")
    void register() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease lease = registry.register(phone, "server-1", "conn-1");
      assertThat(lease.device()).isEqualTo(phone);
      assertThat(lease.serverId()).isEqualTo("server-1");
      assertThat(lease.connectionId()).isEqualTo("conn-1");
      assertThat(lease.lastSeen()).isEqualTo(clock.instant());
      assertThat(registry.find(phone)).contains(lease);
      assertThat(registry.findAll(phone.user())).containsExactly(lease);
    }

    @Test
    @DisplayName("absent devices and users give empty results, never null")
    void absent() {
      assertThat(registry.find(device("nobody", "phone"))).isEmpty();
      assertThat(registry.findAll(user("nobody"))).isEmpty();
      Presence presence = registry.presence(user("nobody"));
      assertThat(presence.online()).isFalse();
      assertThat(presence.lastSeen()).isNull();
    }

    @Test
    @DisplayName("each registration of a device gets a strictly greater epoch, across servers")
    void epochsIncrease() {
      DeviceAddress phone = device("alice", "phone");
      SessionRegistry other = another();
      long last = 0;
      for (int i = 0; i < 10; i++) {
        SessionRegistry r = i % 2 == 0 ? registry : other;
        SessionLease lease = r.register(phone, "server-" + (i % 2), "conn-" + i);
        assertThat(lease.epoch()).isGreaterThan(last);
        last = lease.epoch();
      }
    }

    @Test
    @DisplayName("a new registration replaces the old one: the old lease is stale")
    void replacement() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease first = registry.register(phone, "server-1", "conn-1");
      SessionLease second = another().register(phone, "server-2", "conn-2");
      assertThat(registry.find(phone)).contains(second);
      assertThat(registry.renew(List.of(first))).containsExactly(first);
      registry.unregister(first); // stale: removes nothing
      assertThat(registry.find(phone)).contains(second);
    }

    @Test
    @DisplayName("concurrent registrations of one device leave exactly the newest epoch")
    void concurrentRegistrations() throws Exception {
      DeviceAddress phone = device("alice", "phone");
      SessionRegistry other = another();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<SessionLease>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          SessionRegistry r = i % 2 == 0 ? registry : other;
          int n = i;
          futures.add(pool.submit(() -> r.register(phone, "server-" + (n % 2), "conn-" + n)));
        }
        long max = 0;
        for (Future<SessionLease> f : futures) {
          max = Math.max(max, f.get().epoch());
        }
        assertThat(registry.find(phone)).get().extracting(SessionLease::epoch).isEqualTo(max);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("unregister removes the current lease and is idempotent")
    void unregister() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease lease = registry.register(phone, "server-1", "conn-1");
      registry.unregister(lease);
      registry.unregister(lease);
      assertThat(registry.find(phone)).isEmpty();
      assertThat(registry.findAll(phone.user())).isEmpty();
    }

    @Test
    @DisplayName("findAllOf answers as findAll does for each user given, users without leases too")
    void findAllOf() {
      SessionLease phone = registry.register(device("alice", "phone"), "s1", "c1");
      SessionLease laptop = another().register(device("alice", "laptop"), "s2", "c2");
      SessionLease bob = registry.register(device("bob", "phone"), "s1", "c3");
      SessionLease gone = registry.register(device("carol", "phone"), "s1", "c4");
      registry.unregister(gone);
      List<UserId> users = List.of(user("alice"), user("bob"), user("carol"), user("nobody"));

      Map<UserId, List<SessionLease>> all = registry.findAllOf(users);

      assertThat(all).containsOnlyKeys(users);
      assertThat(all.get(user("alice"))).containsExactlyInAnyOrder(phone, laptop);
      assertThat(all.get(user("bob"))).containsExactly(bob);
      assertThat(all.get(user("carol"))).isEmpty();
      assertThat(all.get(user("nobody"))).isEmpty();
      for (UserId u : users) {
        assertThat(all.get(u)).containsExactlyInAnyOrderElementsOf(registry.findAll(u));
      }
    }

    @Test
    @DisplayName("findAll lists every live device of the user")
    void findAll() {
      SessionLease phone = registry.register(device("alice", "phone"), "s1", "c1");
      SessionLease laptop = another().register(device("alice", "laptop"), "s2", "c2");
      registry.register(device("bob", "phone"), "s1", "c3");
      assertThat(registry.findAll(user("alice"))).containsExactlyInAnyOrder(phone, laptop);
    }
  }

  @Nested
  @DisplayName("leases")
  class Leases {

    @Test
    @DisplayName("renew moves last seen to now and keeps the lease live past the original grace")
    void renew() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease lease = registry.register(phone, "s1", "c1");
      clock.advance(GRACE.minusSeconds(1));
      assertThat(registry.renew(List.of(lease))).isEmpty();
      clock.advance(GRACE.minusSeconds(1));
      assertThat(registry.find(phone))
          .get()
          .extracting(SessionLease::lastSeen)
          .isEqualTo(lease.lastSeen().plus(GRACE.minusSeconds(1)));
    }

    @Test
    @DisplayName("renew handles a batch and reports only the stale leases")
    void batch() {
      List<SessionLease> leases = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        leases.add(registry.register(device("u" + i, "phone"), "s1", "c" + i));
      }
      SessionLease replaced = leases.get(7);
      another().register(replaced.device(), "s2", "new");
      clock.advance(Duration.ofSeconds(5));
      assertThat(registry.renew(leases)).containsExactly(replaced);
    }

    @Test
    @DisplayName("a lease not renewed within the grace is dead: not found, renew reports it stale")
    void expiry() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease lease = registry.register(phone, "s1", "c1");
      clock.advance(GRACE.plusSeconds(1));
      assertThat(registry.find(phone)).isEmpty();
      assertThat(registry.findAll(phone.user())).isEmpty();
      assertThat(registry.presence(phone.user()).online()).isFalse();
      assertThat(registry.renew(List.of(lease))).containsExactly(lease);
    }

    @Test
    @DisplayName("sweepExpired removes dead leases once, counting them, and keeps live ones")
    void sweep() {
      SessionLease dead = registry.register(device("alice", "phone"), "s1", "c1");
      clock.advance(GRACE.plusSeconds(1));
      SessionLease live = registry.register(device("bob", "phone"), "s1", "c2");
      int removed = registry.sweepExpired() + another().sweepExpired();
      assertThat(removed).isGreaterThanOrEqualTo(1);
      assertThat(registry.find(dead.device())).isEmpty();
      assertThat(registry.find(live.device())).contains(live);
      assertThat(registry.sweepExpired()).isZero();
    }
  }

  @Nested
  @DisplayName("presence")
  class PresenceTests {

    @Test
    @DisplayName("a user is online while a live lease exists, offline with last seen after")
    void onlineOffline() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease lease = registry.register(phone, "s1", "c1");
      assertThat(registry.presence(phone.user()).online()).isTrue();
      clock.advance(Duration.ofSeconds(3));
      registry.unregister(lease);
      Presence presence = registry.presence(phone.user());
      assertThat(presence.online()).isFalse();
      assertThat(presence.lastSeen()).isEqualTo(clock.instant());
    }

    @Test
    @DisplayName("last seen never moves backwards, even when a server's clock is behind")
    void lastSeenMonotonic() {
      DeviceAddress phone = device("alice", "phone");
      SessionLease lease = registry.register(phone, "s1", "c1");
      clock.advance(Duration.ofSeconds(10));
      registry.renew(List.of(lease));
      Instant newest = clock.instant();
      clock.advance(Duration.ofSeconds(-8)); // a server with a slow clock
      registry.renew(List.of(lease));
      registry.unregister(lease);
      assertThat(registry.presence(phone.user()).lastSeen()).isEqualTo(newest);
    }

    @Test
    @DisplayName("a user with another live device stays online when one device leaves")
    void multiDevice() {
      SessionLease phone = registry.register(device("alice", "phone"), "s1", "c1");
      registry.register(device("alice", "laptop"), "s1", "c2");
      registry.unregister(phone);
      assertThat(registry.presence(user("alice")).online()).isTrue();
    }

    @Test
    @DisplayName("listeners on every server hear a user come online and go offline, once each")
    void listeners() throws Exception {
      List<Presence> here = new CopyOnWriteArrayList<>();
      List<Presence> there = new CopyOnWriteArrayList<>();
      SessionRegistry other = another();
      UserId alice = user("alice");
      try (AutoCloseable a = registry.subscribe(p -> record(here, p, alice));
          AutoCloseable b = other.subscribe(p -> record(there, p, alice))) {
        awaitSubscribed(other, there, alice);
        here.clear();
        there.clear();
        SessionLease phone = registry.register(device("alice", "phone"), "s1", "c1");
        SessionLease laptop = registry.register(device("alice", "laptop"), "s1", "c2");
        clock.advance(Duration.ofSeconds(2));
        registry.unregister(phone);
        registry.unregister(laptop);
        await().atMost(WAIT).until(() -> here.size() >= 2 && there.size() >= 2);
        for (List<Presence> seen : List.of(here, there)) {
          assertThat(seen).extracting(Presence::online).containsExactly(true, false);
          assertThat(seen.get(1).lastSeen()).isEqualTo(clock.instant());
        }
      }
    }

    @Test
    @DisplayName("sweeping a dead lease tells listeners the user went offline at its last seen")
    void sweepNotifies() throws Exception {
      List<Presence> seen = new CopyOnWriteArrayList<>();
      UserId alice = user("alice");
      try (AutoCloseable a = registry.subscribe(p -> record(seen, p, alice))) {
        awaitSubscribed(registry, seen, alice);
        seen.clear();
        SessionLease lease = registry.register(device("alice", "phone"), "s1", "c1");
        clock.advance(GRACE.plusSeconds(5));
        registry.sweepExpired();
        await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(seen.get(1).online()).isFalse();
        assertThat(seen.get(1).lastSeen()).isEqualTo(lease.lastSeen());
      }
    }

    @Test
    @DisplayName("a closed subscription hears nothing more")
    void unsubscribe() throws Exception {
      List<Presence> seen = new CopyOnWriteArrayList<>();
      UserId alice = user("alice");
      AutoCloseable handle = registry.subscribe(p -> record(seen, p, alice));
      awaitSubscribed(registry, seen, alice);
      handle.close();
      seen.clear();
      registry.register(device("alice", "tablet"), "s1", "c9");
      // a marker user proves notifications still flow to other subscribers
      List<Presence> marker = new CopyOnWriteArrayList<>();
      UserId probe = user("probe");
      try (AutoCloseable m = registry.subscribe(p -> record(marker, p, probe))) {
        awaitSubscribed(registry, marker, probe);
      }
      assertThat(seen).isEmpty();
    }
  }

  private static void record(List<Presence> into, Presence p, UserId only) {
    if (p.user().equals(only)) {
      into.add(p);
    }
  }

  /**
   * Waits until {@code registry}'s subscription delivers: registers and unregisters a device of
   * {@code user} until {@code seen} hears it (pub/sub subscriptions may become active later).
   */
  private void awaitSubscribed(SessionRegistry via, List<Presence> seen, UserId user) {
    DeviceAddress probe = new DeviceAddress(user, io.messagingkit.core.DeviceId.of("probe"));
    await()
        .atMost(WAIT)
        .until(
            () -> {
              SessionLease lease = via.register(probe, "probe", "probe");
              via.unregister(lease);
              return !seen.isEmpty();
            });
    await().atMost(WAIT).until(() -> seen.size() >= 2 && !seen.get(seen.size() - 1).online());
  }

  static Set<SessionLease> none() {
    return Set.of();
  }
}
