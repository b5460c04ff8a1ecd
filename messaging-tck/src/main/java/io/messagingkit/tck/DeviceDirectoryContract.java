package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.concurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.NotFoundException;
import io.messagingkit.core.PushTarget;
import io.messagingkit.core.PushTarget.Platform;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.DeviceDirectory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link DeviceDirectory}: idempotent registration, devices ordered by id, removal
 * with the push target, push targets replaced by newer ones and cleared only when still current.
 * Extend it and return a fresh, empty directory from {@link #createDirectory()}.
 */
public abstract class DeviceDirectoryContract {
  protected static final DeviceAddress BOB_PHONE = DeviceAddress.of("bob", "phone");
  protected static final DeviceAddress BOB_LAPTOP = DeviceAddress.of("bob", "laptop");
  protected static final PushTarget APNS = new PushTarget(Platform.APNS, "apns-token-1", Map.of());
  protected static final PushTarget FCM = new PushTarget(Platform.FCM, "fcm-token-1", Map.of());
  protected static final PushTarget WEB =
      new PushTarget(
          Platform.WEB_PUSH,
          "https://push.example/send/abc?x=1&y=ü",
          Map.of("p256dh", "BNc+/=&x", "auth", "tBHI=tT+w"));

  protected DeviceDirectory devices;

  /** A new directory knowing no device; called before each test. */
  protected abstract DeviceDirectory createDirectory();

  @BeforeEach
  void setUpDirectory() {
    devices = createDirectory();
  }

  @Nested
  @DisplayName("registration")
  class Registration {
    @Test
    @DisplayName("register returns true the first time and false afterwards")
    void registerTwice() {
      assertThat(devices.register(BOB_PHONE)).isTrue();
      assertThat(devices.register(BOB_PHONE)).isFalse();
      assertThat(devices.devices(UserId.of("bob"))).containsExactly(DeviceId.of("phone"));
    }

    @Test
    @DisplayName("a user's devices are ordered by id, case-sensitively; other users' stay apart")
    void ordered() {
      for (String d : List.of("web", "Phone", "phone", "desk-1", "desk.1")) {
        devices.register(DeviceAddress.of("bob", d));
      }
      devices.register(DeviceAddress.of("carol", "aaa"));
      assertThat(devices.devices(UserId.of("bob")))
          .extracting(DeviceId::value)
          .containsExactly("Phone", "desk-1", "desk.1", "phone", "web");
      assertThat(devices.devices(UserId.of("carol"))).containsExactly(DeviceId.of("aaa"));
    }

    @Test
    @DisplayName("devicesOf answers as devices does for each user given, unknown users included")
    void devicesOf() {
      for (String d : List.of("web", "Phone", "phone")) {
        devices.register(DeviceAddress.of("bob", d));
      }
      devices.register(DeviceAddress.of("carol", "aaa"));
      List<UserId> users = new java.util.ArrayList<>();
      for (int i = 0; i < 1_100; i++) {
        users.add(UserId.of("u" + i));
      }
      devices.register(DeviceAddress.of("u1099", "tablet"));
      users.addAll(List.of(UserId.of("bob"), UserId.of("carol"), UserId.of("nobody")));

      Map<UserId, List<DeviceId>> all = devices.devicesOf(users);

      assertThat(all).hasSize(users.size());
      for (UserId user : users) {
        assertThat(all.get(user)).as(user.value()).isEqualTo(devices.devices(user));
      }
      assertThat(all.get(UserId.of("bob")))
          .extracting(DeviceId::value)
          .containsExactly("Phone", "phone", "web");
      assertThat(all.get(UserId.of("u1099"))).containsExactly(DeviceId.of("tablet"));
      assertThat(all.get(UserId.of("nobody"))).isEmpty();
      assertThat(devices.devicesOf(List.of())).isEmpty();
    }

    @Test
    @DisplayName("an unknown user has no devices")
    void unknownUser() {
      assertThat(devices.devices(UserId.of("nobody"))).isEmpty();
    }

    @Test
    @DisplayName("remove returns whether the device was known and forgets it and its push target")
    void remove() {
      devices.register(BOB_PHONE);
      devices.register(BOB_LAPTOP);
      devices.setPushTarget(BOB_PHONE, APNS);
      assertThat(devices.remove(BOB_PHONE)).isTrue();
      assertThat(devices.remove(BOB_PHONE)).isFalse();
      assertThat(devices.devices(UserId.of("bob"))).containsExactly(DeviceId.of("laptop"));
      assertThat(devices.pushTarget(BOB_PHONE)).isEmpty();
      assertThat(devices.register(BOB_PHONE)).isTrue();
      assertThat(devices.pushTarget(BOB_PHONE)).isEmpty();
    }

    @Test
    @DisplayName("concurrent registrations of one device: exactly one returns true")
    void concurrentRegister() throws Exception {
      List<Boolean> results = concurrently(8, t -> devices.register(BOB_PHONE));
      assertThat(results).containsOnlyOnce(true);
      assertThat(devices.devices(UserId.of("bob"))).hasSize(1);
    }
  }

  @Nested
  @DisplayName("push targets")
  class PushTargets {
    @Test
    @DisplayName("a registered device has no push target until one is set")
    void noneByDefault() {
      devices.register(BOB_PHONE);
      assertThat(devices.pushTarget(BOB_PHONE)).isEmpty();
      assertThat(devices.pushTarget(DeviceAddress.of("nobody", "none"))).isEmpty();
    }

    @Test
    @DisplayName("setPushTarget replaces the earlier target; every field comes back exactly")
    void replace() {
      devices.register(BOB_PHONE);
      devices.register(BOB_LAPTOP);
      devices.setPushTarget(BOB_PHONE, APNS);
      devices.setPushTarget(BOB_PHONE, WEB);
      devices.setPushTarget(BOB_LAPTOP, FCM);
      assertThat(devices.pushTarget(BOB_PHONE)).contains(WEB);
      assertThat(devices.pushTarget(BOB_LAPTOP)).contains(FCM);
    }

    @Test
    @DisplayName("setting the push target of an unregistered device fails with NotFoundException")
    void unregistered() {
      assertThatThrownBy(() -> devices.setPushTarget(BOB_PHONE, APNS))
          .isInstanceOf(NotFoundException.class);
      assertThat(devices.pushTarget(BOB_PHONE)).isEmpty();
      assertThat(devices.devices(UserId.of("bob"))).isEmpty();
    }

    @Test
    @DisplayName("clearPushTarget removes the target only while it is still the current one")
    void clearIfCurrent() {
      devices.register(BOB_PHONE);
      devices.setPushTarget(BOB_PHONE, APNS);
      PushTarget sameTokenOtherPlatform = new PushTarget(Platform.FCM, APNS.token(), Map.of());
      assertThat(devices.clearPushTarget(BOB_PHONE, sameTokenOtherPlatform)).isFalse();
      assertThat(devices.clearPushTarget(BOB_PHONE, FCM)).isFalse();
      assertThat(devices.pushTarget(BOB_PHONE)).contains(APNS);
      assertThat(devices.clearPushTarget(BOB_PHONE, APNS)).isTrue();
      assertThat(devices.pushTarget(BOB_PHONE)).isEmpty();
      assertThat(devices.clearPushTarget(BOB_PHONE, APNS)).isFalse();
      assertThat(devices.devices(UserId.of("bob"))).containsExactly(DeviceId.of("phone"));
    }

    @Test
    @DisplayName("clearing a Web Push target compares its keys too")
    void clearComparesKeys() {
      devices.register(BOB_PHONE);
      devices.setPushTarget(BOB_PHONE, WEB);
      PushTarget otherKeys =
          new PushTarget(Platform.WEB_PUSH, WEB.token(), Map.of("p256dh", "x", "auth", "y"));
      assertThat(devices.clearPushTarget(BOB_PHONE, otherKeys)).isFalse();
      assertThat(devices.clearPushTarget(BOB_PHONE, WEB)).isTrue();
    }

    @Test
    @DisplayName("clearing on an unknown device returns false")
    void clearUnknown() {
      assertThat(devices.clearPushTarget(DeviceAddress.of("nobody", "none"), APNS)).isFalse();
    }
  }

  @Nested
  @DisplayName("last seen, caps and expiry")
  class LastSeen {
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    private final UserId bob = UserId.of("bob");

    @Test
    @DisplayName("a new device is added below the cap; at the cap it is FULL and nothing changes")
    void cap() {
      assertThat(devices.register(BOB_PHONE, t0, 2)).isEqualTo(DeviceDirectory.Registration.NEW);
      assertThat(devices.register(BOB_LAPTOP, t0, 2)).isEqualTo(DeviceDirectory.Registration.NEW);
      DeviceAddress tablet = DeviceAddress.of("bob", "tablet");
      assertThat(devices.register(tablet, t0, 2)).isEqualTo(DeviceDirectory.Registration.FULL);
      assertThat(devices.devices(bob)).containsExactly(DeviceId.of("laptop"), DeviceId.of("phone"));
      assertThat(devices.pushTarget(tablet)).isEmpty();
      assertThat(devices.register(DeviceAddress.of("carol", "tablet"), t0, 2))
          .isEqualTo(DeviceDirectory.Registration.NEW);
    }

    @Test
    @DisplayName("a known device at the cap is KNOWN and its last-seen time moves forward")
    void knownAtCap() {
      devices.register(BOB_PHONE, t0, 1);
      assertThat(devices.register(BOB_PHONE, t0.plusSeconds(60), 1))
          .isEqualTo(DeviceDirectory.Registration.KNOWN);
      assertThat(devices.lastSeen(bob)).containsExactly(entry(PHONE, t0.plusSeconds(60)));
    }

    @Test
    @DisplayName("concurrent registrations of new devices never exceed the cap")
    void concurrentCap() throws Exception {
      List<DeviceDirectory.Registration> outcomes =
          concurrently(
              8, i -> devices.register(DeviceAddress.of("bob", "d" + i), t0.plusSeconds(i), 3));
      assertThat(outcomes).filteredOn(o -> o == DeviceDirectory.Registration.NEW).hasSize(3);
      assertThat(devices.devices(bob)).hasSize(3);
    }

    @Test
    @DisplayName("touch moves the last-seen time forward only and never adds a device")
    void touch() {
      devices.register(BOB_PHONE, t0.plusSeconds(10), 5);
      assertThat(devices.touch(BOB_PHONE, t0.plusSeconds(20))).isTrue();
      assertThat(devices.touch(BOB_PHONE, t0)).isTrue();
      assertThat(devices.lastSeen(bob)).containsExactly(entry(PHONE, t0.plusSeconds(20)));
      assertThat(devices.touch(BOB_LAPTOP, t0)).isFalse();
      assertThat(devices.devices(bob)).containsExactly(PHONE);
      assertThat(devices.lastSeen(UserId.of("nobody"))).isEmpty();
    }

    @Test
    @DisplayName("lastSeen lists a user's devices ordered by id, to the second at least")
    void lastSeenOrdered() {
      devices.register(BOB_PHONE, t0.plusSeconds(5), 5);
      devices.register(BOB_LAPTOP, t0.plusSeconds(7), 5);
      assertThat(devices.lastSeen(bob))
          .containsExactly(entry(LAPTOP, t0.plusSeconds(7)), entry(PHONE, t0.plusSeconds(5)));
    }

    @Test
    @DisplayName("unseenSince lists devices seen before the cutoff, oldest first, up to the limit")
    void unseenSince() {
      devices.register(BOB_PHONE, t0.plusSeconds(30), 5);
      devices.register(BOB_LAPTOP, t0.plusSeconds(10), 5);
      DeviceAddress carol = DeviceAddress.of("carol", "phone");
      devices.register(carol, t0.plusSeconds(20), 5);
      devices.register(DeviceAddress.of("dave", "phone"), t0.plusSeconds(100), 5);

      assertThat(devices.unseenSince(t0.plusSeconds(100), 10))
          .containsExactly(BOB_LAPTOP, carol, BOB_PHONE);
      assertThat(devices.unseenSince(t0.plusSeconds(100), 2)).containsExactly(BOB_LAPTOP, carol);
      assertThat(devices.unseenSince(t0.plusSeconds(10), 10)).isEmpty();

      devices.touch(BOB_LAPTOP, t0.plusSeconds(200));
      devices.remove(carol);
      assertThat(devices.unseenSince(t0.plusSeconds(100), 10)).containsExactly(BOB_PHONE);
    }
  }

  private static final DeviceId PHONE = DeviceId.of("phone");
  private static final DeviceId LAPTOP = DeviceId.of("laptop");
}
