package io.messagingkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.memory.RecordingPushGateway;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.core.port.PushGateway.PushResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The push policy through an assembled server, with time moved by hand for the coalesce window. */
class PushPolicyTest {

  private static final DeviceAddress BOB = DeviceAddress.of("bob", "phone");
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", "phone");

  private final RecordingPushGateway push = new RecordingPushGateway();
  private final InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
  private final InMemoryOfflineStore offline = new InMemoryOfflineStore();
  private final HandClock clock = new HandClock();
  private ChatServer server;
  private DeviceSession alice;

  private void start(PushPreview preview) {
    server =
        ChatServer.builder()
            .clock(clock)
            .settings(
                ChatServerSettings.defaults()
                    .withPush(Duration.ofSeconds(10), Duration.ofMinutes(1)))
            .pushGateway(push)
            .pushPreview(preview)
            .deviceDirectory(devices)
            .offlineStore(offline)
            .build()
            .start();
    DeviceSession bob = server.connect(BOB, new ChatServerTest.Connection());
    bob.registerPushTarget(new PushTarget(PushTarget.Platform.FCM, "t1", Map.of()));
    bob.close();
    alice = server.connect(ALICE, new ChatServerTest.Connection());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private void send(String id, String text) {
    alice.send(SendRequest.text(id, Recipient.user(BOB.user()), text)).join();
  }

  @Test
  @DisplayName("one push per device per coalesce window, however many messages arrive")
  void coalesced() {
    start(PushPreview.none());
    send("m1", "one");
    send("m2", "two");
    send("m3", "three");
    await().until(() -> push.sent().size() == 1);
    clock.advance(Duration.ofSeconds(9));
    send("m4", "four");
    assertThat(offline.depth(BOB)).isEqualTo(4);
    assertThat(push.sent()).hasSize(1);

    clock.advance(Duration.ofSeconds(1)); // the window is over
    send("m5", "five");
    await().until(() -> push.sent().size() == 2);
    assertThat(push.sent().get(1).notification().pending()).isEqualTo(5);
  }

  @Test
  @DisplayName("by default a push names no sender and carries no content")
  void contentFree() {
    start(PushPreview.none());
    send("m1", "the secret plan");
    await().until(() -> push.sent().size() == 1);
    PushNotification n = push.sent().get(0).notification();
    assertThat(n.preview()).isNull();
    assertThat(n.toString()).doesNotContain("secret").doesNotContain("alice");
    assertThat(n.collapseKey()).isEqualTo("messages:phone");
  }

  @Test
  @DisplayName("a host that opts in gets its sender-visible preview in the push")
  void preview() {
    start(m -> m.sender().user().value() + ": " + new String(m.body(), StandardCharsets.UTF_8));
    send("m1", "lunch?");
    await().until(() -> push.sent().size() == 1);
    assertThat(push.sent().get(0).notification().preview()).isEqualTo("alice: lunch?");
  }

  @Test
  @DisplayName("a preview that fails leaves the push content-free but still sent")
  void previewFails() {
    start(
        m -> {
          throw new IllegalStateException("boom");
        });
    send("m1", "hi");
    await().until(() -> push.sent().size() == 1);
    assertThat(push.sent().get(0).notification().preview()).isNull();
  }

  @Test
  @DisplayName("typing never pushes")
  void typingNeverPushes() {
    start(PushPreview.none());
    alice.typing(Recipient.user(BOB.user()), true);
    send("m1", "hi"); // a message after it does push: the typing did not use the window
    await().until(() -> push.sent().size() == 1);
    assertThat(push.sent()).hasSize(1);
  }

  @Test
  @DisplayName("a provider outage: retries are bounded, and the messages stay queued")
  void outage() {
    start(PushPreview.none());
    for (int i = 0; i < 3; i++) {
      push.answerNext(new PushResult(Outcome.RETRY, Duration.ofMillis(20), "503"));
    }
    send("m1", "hi");
    await().until(() -> push.sent().size() == 3); // the first attempt and two retries
    assertThat(offline.depth(BOB)).isEqualTo(1);
    // the next window pushes again, and the queue still holds everything
    clock.advance(Duration.ofSeconds(10));
    send("m2", "again");
    await().until(() -> push.sent().size() >= 4);
    assertThat(push.sent()).hasSize(4); // accepted: no more retries
    assertThat(push.sent().get(3).notification().pending()).isEqualTo(2);
    assertThat(offline.depth(BOB)).isEqualTo(2);
  }

  @Test
  @DisplayName("a Retry-After beyond the longest honoured is not retried; the message stays queued")
  void retryAfterTooLong() {
    start(PushPreview.none());
    push.answerNext(
        new PushResult(Outcome.RETRY, PushPolicy.MAX_RETRY_AFTER.plusSeconds(1), "429"));
    send("m1", "hi");
    await()
        .until(
            () ->
                server
                        .meterRegistry()
                        .find("messagingkit.push")
                        .tag("outcome", "retry_declined")
                        .counter()
                    != null);
    assertThat(push.sent()).hasSize(1);
    assertThat(offline.depth(BOB)).isEqualTo(1);
    // the next window pushes again
    clock.advance(Duration.ofSeconds(10));
    send("m2", "again");
    await().until(() -> push.sent().size() == 2);
    assertThat(push.sent().get(1).notification().pending()).isEqualTo(2);
  }

  /** A clock moved by hand. */
  static final class HandClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
