package io.messagingkit.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Presence;
import io.messagingkit.core.SessionLease;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.tck.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** What is specific to Redis: key layout, losing the data, the server going away and back. */
class RedisSessionRegistryIT {

  private final String prefix = LocalRedis.freshPrefix();
  private final MutableClock clock = MutableClock.start();

  private RedisSessionRegistry registry(int port) {
    return RedisSessionRegistry.builder(LocalRedis.HOST, port)
        .keyPrefix(prefix)
        .clock(clock)
        .timeout(Duration.ofMillis(500))
        .build();
  }

  @AfterEach
  void cleanUp() {
    LocalRedis.deleteKeys(prefix);
  }

  @Test
  @DisplayName("keys follow the documented layout under the configured prefix")
  void keyLayout() {
    try (RedisSessionRegistry registry = registry(LocalRedis.PORT);
        RedisClient redis = RedisClient.create(LocalRedis.HOST, LocalRedis.PORT)) {
      SessionLease lease = registry.register(DeviceAddress.of("alice", "phone"), "s1", "c1");
      assertThat(LocalRedis.keys(prefix))
          .containsExactlyInAnyOrder(
              prefix + "lease:alice", prefix + "seen", prefix + "index", prefix + "epoch");
      assertThat(redis.hget(prefix + "lease:alice", "phone"))
          .isEqualTo(lease.epoch() + "|" + clock.millis() + "|s1|c1");
      assertThat(redis.zscore(prefix + "index", "alice/phone")).isEqualTo((double) clock.millis());
    }
  }

  @Test
  @DisplayName("after Redis lost its data, renewals rebuild the registry and keep connections")
  void rebuildAfterDataLoss() {
    try (RedisSessionRegistry registry = registry(LocalRedis.PORT)) {
      SessionLease phone = registry.register(DeviceAddress.of("alice", "phone"), "s1", "c1");
      SessionLease laptop = registry.register(DeviceAddress.of("bob", "laptop"), "s1", "c2");
      LocalRedis.deleteKeys(prefix); // FLUSHALL, for this prefix only

      clock.advance(Duration.ofSeconds(5));
      assertThat(registry.renew(List.of(phone))).isEmpty();
      assertThat(registry.renew(List.of(laptop))).isEmpty(); // another server, same window
      assertThat(registry.find(phone.device()))
          .get()
          .extracting(SessionLease::epoch)
          .isEqualTo(phone.epoch());
      assertThat(registry.presence(phone.device().user()).online()).isTrue();
      SessionLease next = registry.register(DeviceAddress.of("alice", "tablet"), "s1", "c3");
      assertThat(next.epoch()).isGreaterThan(Math.max(phone.epoch(), laptop.epoch()));
    }
  }

  @Test
  @DisplayName("outside a rebuild, a lease that was swept stays dead")
  void sweptStaysDead() {
    try (RedisSessionRegistry registry = registry(LocalRedis.PORT)) {
      SessionLease lease = registry.register(DeviceAddress.of("alice", "phone"), "s1", "c1");
      clock.advance(Duration.ofSeconds(20));
      assertThat(registry.sweepExpired()).isEqualTo(1);
      assertThat(registry.renew(List.of(lease))).containsExactly(lease);
      assertThat(registry.find(lease.device())).isEmpty();
    }
  }

  @Test
  @DisplayName("Redis unreachable: calls fail fast with UNAVAILABLE")
  void unreachable() {
    try (RedisSessionRegistry registry = registry(1)) {
      assertThatThrownBy(() -> registry.register(DeviceAddress.of("alice", "phone"), "s1", "c1"))
          .isInstanceOf(UnavailableException.class)
          .hasMessageContaining("register");
      assertThatThrownBy(() -> registry.presence(io.messagingkit.core.UserId.of("alice")))
          .isInstanceOf(UnavailableException.class);
    }
  }

  @Test
  @DisplayName("Redis gone and back: calls fail meanwhile, then work, and presence flows again")
  void downAndBack() throws Exception {
    try (TcpProxy proxy = new TcpProxy(LocalRedis.HOST, LocalRedis.PORT);
        RedisSessionRegistry registry = registry(proxy.port())) {
      List<Presence> seen = new CopyOnWriteArrayList<>();
      registry.subscribe(seen::add);
      DeviceAddress phone = DeviceAddress.of("alice", "phone");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                registry.unregister(registry.register(phone, "s1", "c1"));
                return seen.size() >= 2;
              });

      proxy.cut();
      assertThatThrownBy(() -> registry.register(phone, "s1", "c2"))
          .isInstanceOf(UnavailableException.class);

      proxy.restore();
      seen.clear();
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptionsInstanceOf(UnavailableException.class)
          .until(
              () -> {
                registry.unregister(registry.register(phone, "s1", "c3"));
                return seen.stream().anyMatch(p -> p.online());
              });
    }
  }
}
