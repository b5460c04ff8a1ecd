package io.messagingkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.ChatServerTest.Connection;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.memory.InMemoryGroupDirectory;
import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.memory.InMemorySessionRegistry;
import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.core.memory.LocalMediaHttpHandler;
import io.messagingkit.core.port.MediaStore;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each limit of {@link ChatServerLimits}, refused with a clear error and nothing growing. */
class ChatServerLimitsTest {

  private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
  private final InMemoryOfflineStore offline = new InMemoryOfflineStore();
  private final InMemoryGroupDirectory groups = new InMemoryGroupDirectory();
  private @TempDir Path folder;
  private LocalFolderMediaStore media;
  private ChatServer server;

  /** A server on the movable clock; leases live on real time, and no heartbeat tick runs. */
  private ChatServer start(ChatServerLimits limits) {
    media =
        LocalFolderMediaStore.builder(folder, URI.create("http://127.0.0.1:1/media"))
            .clock(clock)
            .urlExpiry(Duration.ofMinutes(15))
            .build();
    server =
        ChatServer.builder()
            .clock(clock)
            .limits(limits)
            .settings(
                ChatServerSettings.defaults()
                    .withHeartbeat(Duration.ofHours(1), Duration.ofDays(365)))
            .sessionRegistry(InMemorySessionRegistry.builder().build())
            .deviceDirectory(devices)
            .offlineStore(offline)
            .groupDirectory(groups)
            .mediaStore(media)
            .build()
            .start();
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private DeviceSession connect(String user, String device) {
    return server.connect(DeviceAddress.of(user, device), new Connection());
  }

  private static SendRequest text(String id, String to, String body) {
    return SendRequest.text(id, Recipient.user(UserId.of(to)), body);
  }

  private static Throwable cause(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  @Nested
  @DisplayName("devices per user")
  class Devices {

    @Test
    @DisplayName(
        "a device beyond the cap replaces the user's longest-unseen offline device, whose queue"
            + " goes with it; the user never has more than the cap")
    void replacesLongestUnseen() {
      start(ChatServerLimits.defaults().withDevices(3, Duration.ofDays(30)));
      DeviceSession alice = connect("alice", "phone");
      for (String d : List.of("d1", "d2", "d3")) {
        connect("bob", d).close();
        clock.advance(Duration.ofMinutes(1));
      }
      alice.send(text("m1", "bob", "hello")).join();
      DeviceAddress d1 = DeviceAddress.of("bob", "d1");
      assertThat(offline.depth(d1)).isEqualTo(1);

      connect("bob", "d4");

      assertThat(devices.devices(UserId.of("bob")))
          .containsExactly(DeviceId.of("d2"), DeviceId.of("d3"), DeviceId.of("d4"));
      assertThat(offline.depth(d1)).isZero();
      assertThat(offline.depth(DeviceAddress.of("bob", "d2"))).isEqualTo(1);
    }

    @Test
    @DisplayName(
        "when every device of the user is connected, a new one is refused with limit_exceeded"
            + " and nothing is registered")
    void refusedWhenAllConnected() {
      start(ChatServerLimits.defaults().withDevices(2, Duration.ofDays(30)));
      connect("bob", "d1");
      connect("bob", "d2");
      assertThatThrownBy(() -> connect("bob", "d3"))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("maxDevicesPerUser")
          .satisfies(
              e -> assertThat(((MessagingException) e).code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
      assertThat(devices.devices(UserId.of("bob"))).hasSize(2);
      assertThat(server.connectionCount()).isEqualTo(2);
    }

    @Test
    @DisplayName(
        "a device unseen for the retention period is removed with its queue; a connected one and"
            + " a recently seen one are kept")
    void expiry() {
      start(ChatServerLimits.defaults().withDevices(5, Duration.ofDays(30)));
      DeviceSession alice = connect("alice", "phone");
      connect("bob", "old").close();
      connect("bob", "online");
      alice.send(text("m1", "bob", "hi")).join();
      clock.advance(Duration.ofDays(29));
      connect("bob", "recent").close();
      clock.advance(Duration.ofDays(2));

      assertThat(server.expireDevices()).isEqualTo(1); // bob/old
      assertThat(devices.devices(UserId.of("bob")))
          .containsExactly(DeviceId.of("online"), DeviceId.of("recent"));
      assertThat(offline.depth(DeviceAddress.of("bob", "old"))).isZero();
      // alice's phone is connected: kept too
      assertThat(devices.devices(UserId.of("alice"))).containsExactly(DeviceId.of("phone"));
      assertThat(server.expireDevices()).isZero();
    }
  }

  @Nested
  @DisplayName("recipients and queues")
  class Recipients {

    @Test
    @DisplayName(
        "a message to a name no one registered is refused as not_found and kept for no one")
    void unknownRecipient() {
      start(ChatServerLimits.defaults());
      DeviceSession alice = connect("alice", "phone");
      assertThatThrownBy(() -> alice.send(text("m1", "nobody", "hi")).join())
          .satisfies(
              e -> {
                assertThat(cause(e)).isInstanceOf(NotFoundException.class);
                assertThat(cause(e)).hasMessageContaining("nobody does not exist");
              });
      Connection later = new Connection();
      server.connect(DeviceAddress.of("nobody", "phone"), later);
      assertThat(offline.depth(DeviceAddress.of("nobody", "phone"))).isZero();
      assertThat(later.incoming()).isZero();
    }

    @Test
    @DisplayName(
        "a direct message to a device whose queue is full is refused with limit_exceeded; the"
            + " queued ones are all kept and sends resume once it drains")
    void fullQueueByCount() {
      start(ChatServerLimits.defaults().withQueuePerDevice(3, 1 << 20));
      DeviceSession alice = connect("alice", "phone");
      connect("bob", "phone").close();
      for (int i = 1; i <= 3; i++) {
        alice.send(text("m" + i, "bob", "x")).join();
      }
      assertThatThrownBy(() -> alice.send(text("m4", "bob", "x")).join())
          .satisfies(
              e -> {
                assertThat(cause(e)).isInstanceOf(LimitExceededException.class);
                assertThat(cause(e)).hasMessageContaining("maxQueuedMessagesPerDevice");
              });
      DeviceAddress bob = DeviceAddress.of("bob", "phone");
      assertThat(offline.depth(bob)).isEqualTo(3);
      offline.acknowledge(bob, UserId.of("alice"), MessageId.of("m1"));
      alice.send(text("m4", "bob", "x")).join();
      assertThat(offline.depth(bob)).isEqualTo(3);
    }

    @Test
    @DisplayName("a direct message that would take a device's queue past its byte bound is refused")
    void fullQueueByBytes() {
      start(ChatServerLimits.defaults().withQueuePerDevice(100, 1000));
      DeviceSession alice = connect("alice", "phone");
      connect("bob", "phone").close();
      alice.send(text("m1", "bob", "x".repeat(400))).join();
      alice.send(text("m2", "bob", "x".repeat(400))).join();
      assertThatThrownBy(() -> alice.send(text("m3", "bob", "x".repeat(400))).join())
          .satisfies(e -> assertThat(cause(e)).hasMessageContaining("maxQueuedBytesPerDevice"));
      alice.send(text("m4", "bob", "x".repeat(100))).join();
      assertThat(offline.queuedBytes(DeviceAddress.of("bob", "phone"))).isEqualTo(900);
    }
  }

  @Nested
  @DisplayName("groups")
  class Groups {

    @Test
    @DisplayName("a group naming a user who does not exist is refused as not_found and not created")
    void membersMustExist() {
      start(ChatServerLimits.defaults());
      DeviceSession alice = connect("alice", "phone");
      connect("bob", "phone");
      GroupId g = GroupId.of("g1");
      assertThatThrownBy(
              () -> alice.createGroup(g, "G", List.of(UserId.of("bob"), UserId.of("ghost"))))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("ghost does not exist");
      assertThat(groups.find(g)).isEmpty();
      alice.createGroup(g, "G", List.of(UserId.of("bob")));
      assertThatThrownBy(() -> alice.addMember(g, UserId.of("ghost")))
          .isInstanceOf(NotFoundException.class);
      assertThat(groups.members(g)).hasSize(2);
    }

    @Test
    @DisplayName("a user may create at most maxGroupsCreatedPerUser groups, leaving them or not")
    void groupsCreated() {
      start(ChatServerLimits.defaults().withMaxGroupsCreatedPerUser(2));
      DeviceSession alice = connect("alice", "phone");
      connect("bob", "phone");
      alice.createGroup(GroupId.of("g1"), "G1", List.of(UserId.of("bob")));
      alice.createGroup(GroupId.of("g2"), "G2", List.of(UserId.of("bob")));
      alice.leaveGroup(GroupId.of("g1")); // bob stays: the group lives on
      assertThatThrownBy(() -> alice.createGroup(GroupId.of("g3"), "G3", List.of()))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("maxGroupsCreatedPerUser");
      assertThat(groups.find(GroupId.of("g3"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("uploads")
  class Uploads {

    @Test
    @DisplayName("upload grants beyond the bytes per window are refused until the window moves on")
    void bytesPerWindow() {
      start(ChatServerLimits.defaults().withUploads(300, Duration.ofHours(1), 100));
      DeviceSession alice = connect("alice", "phone");
      alice.requestUpload("image/jpeg", 100);
      alice.requestUpload("image/jpeg", 200);
      assertThatThrownBy(() -> alice.requestUpload("image/jpeg", 1))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("uploadBytesPerWindow");
      connect("bob", "phone").requestUpload("image/jpeg", 300); // per user
      clock.advance(Duration.ofMinutes(61));
      alice.requestUpload("image/jpeg", 300);
    }

    @Test
    @DisplayName(
        "unfinished upload grants are capped; finishing one or letting it expire frees a slot")
    void unfinished() throws Exception {
      start(ChatServerLimits.defaults().withUploads(1 << 30, Duration.ofDays(1), 2));
      DeviceSession alice = connect("alice", "phone");
      MediaStore.UploadGrant first = alice.requestUpload("image/jpeg", 10);
      alice.requestUpload("image/jpeg", 10);
      assertThatThrownBy(() -> alice.requestUpload("image/jpeg", 10))
          .isInstanceOf(LimitExceededException.class)
          .hasMessageContaining("maxUnfinishedUploads");

      LocalMediaHttpHandler http = media.httpHandler();
      try (LocalMediaHttpHandler.Response r =
          http.handle(
              "PUT",
              first.url().getRawPath() + "?" + first.url().getRawQuery(),
              Map.of("Content-Length", List.of("10")),
              new ByteArrayInputStream(new byte[10]))) {
        assertThat(r.status()).isEqualTo(200);
      }
      alice.requestUpload("image/jpeg", 10);
      assertThatThrownBy(() -> alice.requestUpload("image/jpeg", 10))
          .isInstanceOf(LimitExceededException.class);
      clock.advance(Duration.ofMinutes(16));
      alice.requestUpload("image/jpeg", 10);
      alice.requestUpload("image/jpeg", 10);
    }
  }

  /** A clock tests move. */
  static final class MovableClock extends Clock {
    private final AtomicReference<Instant> now;

    MovableClock(Instant start) {
      this.now = new AtomicReference<>(start);
    }

    void advance(Duration d) {
      now.updateAndGet(i -> i.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
