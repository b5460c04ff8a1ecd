package io.messagingkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.DeviceConnection.CloseReason;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.memory.RecordingPushGateway;
import io.messagingkit.core.port.PushGateway.Outcome;
import io.messagingkit.core.port.PushGateway.PushResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Behaviour of the assembled server that the TCK scenario suite does not reach. */
class ChatServerTest {

  private final RecordingPushGateway push = new RecordingPushGateway();
  private final InMemoryDeviceDirectory devices = new InMemoryDeviceDirectory();
  private final InMemoryOfflineStore offline = new InMemoryOfflineStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ChatServer server;

  private ChatServer start(ChatServerSettings settings) {
    server =
        ChatServer.builder()
            .settings(settings)
            .pushGateway(push)
            .deviceDirectory(devices)
            .offlineStore(offline)
            .meterRegistry(meters)
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

  @Test
  @DisplayName("a push target the provider calls gone is forgotten")
  void targetGone() {
    start(ChatServerSettings.defaults());
    DeviceAddress bob = DeviceAddress.of("bob", "phone");
    PushTarget target = new PushTarget(PushTarget.Platform.APNS, "t1", Map.of());
    DeviceSession bobSession = server.connect(bob, new Connection());
    bobSession.registerPushTarget(target);
    bobSession.close();
    push.answerNext(new PushResult(Outcome.TARGET_GONE, null, "Unregistered"));

    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), new Connection());
    alice.send(SendRequest.text("m1", Recipient.user(bob.user()), "hi")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> devices.pushTarget(bob).isEmpty());
    assertThat(push.sent()).hasSize(1);
  }

  @Test
  @DisplayName("a throttled push is retried after the provider's Retry-After")
  void throttledPushRetried() {
    start(ChatServerSettings.defaults());
    DeviceAddress bob = DeviceAddress.of("bob", "phone");
    DeviceSession bobSession = server.connect(bob, new Connection());
    bobSession.registerPushTarget(new PushTarget(PushTarget.Platform.FCM, "t1", Map.of()));
    bobSession.close();
    push.answerNext(new PushResult(Outcome.RETRY, Duration.ofMillis(50), "429"));

    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), new Connection());
    alice.send(SendRequest.text("m1", Recipient.user(bob.user()), "hi")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> push.sent().size() == 2);
  }

  @Test
  @DisplayName("a connection closed with messages unacknowledged gets a delayed push")
  void delayedPushAfterClose() {
    start(ChatServerSettings.defaults().withPush(Duration.ofSeconds(10), Duration.ofMillis(100)));
    DeviceAddress bob = DeviceAddress.of("bob", "phone");
    Connection bobConnection = new Connection();
    DeviceSession bobSession = server.connect(bob, bobConnection);
    bobSession.registerPushTarget(new PushTarget(PushTarget.Platform.FCM, "t1", Map.of()));
    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), new Connection());
    alice.send(SendRequest.text("m1", Recipient.user(bob.user()), "hi")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> !bobConnection.events.isEmpty());
    assertThat(push.sent()).isEmpty();
    bobSession.close(); // received but never acknowledged
    await().atMost(Duration.ofSeconds(5)).until(() -> push.sent().size() == 1);
  }

  @Test
  @DisplayName("a connection without heartbeats is closed as idle and goes offline")
  void idleClosed() {
    start(
        ChatServerSettings.defaults().withHeartbeat(Duration.ofMillis(50), Duration.ofMillis(200)));
    Connection connection = new Connection();
    server.connect(DeviceAddress.of("alice", "phone"), connection);
    await().atMost(Duration.ofSeconds(5)).until(() -> connection.closed == CloseReason.IDLE);
    assertThat(server.connectionCount()).isZero();
  }

  @Test
  @DisplayName("heartbeats keep a connection open past the idle timeout")
  void heartbeatsKeepAlive() throws Exception {
    start(
        ChatServerSettings.defaults().withHeartbeat(Duration.ofMillis(50), Duration.ofMillis(300)));
    Connection connection = new Connection();
    DeviceSession session = server.connect(DeviceAddress.of("alice", "phone"), connection);
    long end = System.nanoTime() + Duration.ofMillis(900).toNanos();
    while (System.nanoTime() < end) {
      session.heartbeat();
      Thread.sleep(50); // the client's heartbeat period, not a wait for a result
    }
    assertThat(connection.closed).isNull();
  }

  @Test
  @DisplayName("meters count connections, routed messages, deliveries and acks")
  void meters() {
    start(ChatServerSettings.defaults());
    Connection bobConnection = new Connection();
    DeviceSession bob = server.connect(DeviceAddress.of("bob", "phone"), bobConnection);
    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), new Connection());
    alice.send(SendRequest.text("m1", Recipient.user(UserId.of("bob")), "hi")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> !bobConnection.events.isEmpty());
    bob.acknowledge(UserId.of("alice"), MessageId.of("m1"));

    assertThat(meters.get("messagingkit.connections").gauge().value()).isEqualTo(2.0);
    assertThat(
            meters
                .get("messagingkit.messages.routed")
                .tag("type", "TEXT")
                .tag("recipient", "user")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(meters.get("messagingkit.messages.routed").counters())
        .extracting(c -> c.count())
        .containsOnly(0.0, 1.0);
    assertThat(meters.get("messagingkit.acks").tag("kind", "sent").counter().count())
        .isEqualTo(1.0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                meters.get("messagingkit.acks").tag("kind", "delivered").counter().count() == 1.0);
    assertThat(meters.get("messagingkit.routing.latency").timer().count()).isEqualTo(1);
  }

  @Test
  @DisplayName("media requests are refused with UNAVAILABLE when no media store is configured")
  void noMediaStore() {
    start(ChatServerSettings.defaults());
    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), new Connection());
    assertThatThrownBy(() -> alice.requestUpload("image/png", 10))
        .isInstanceOf(UnavailableException.class);
  }

  @Test
  @DisplayName("a closed server refuses connections")
  void closedServer() {
    start(ChatServerSettings.defaults());
    server.close();
    assertThatThrownBy(() -> server.connect(DeviceAddress.of("a", "b"), new Connection()))
        .isInstanceOf(UnavailableException.class);
  }

  @Test
  @DisplayName(
      "acknowledgements arriving while the store is busy go to it together, in one call, and the"
          + " sender is told DELIVERED for each")
  void acknowledgementsBatched() throws Exception {
    GatedOfflineStore store = new GatedOfflineStore();
    server = ChatServer.builder().offlineStore(store).build().start();
    Connection aliceConnection = new Connection();
    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), aliceConnection);
    Connection bobConnection = new Connection();
    DeviceSession bob = server.connect(DeviceAddress.of("bob", "phone"), bobConnection);
    for (int i = 0; i < 11; i++) {
      alice.send(SendRequest.text("m" + i, Recipient.user(UserId.of("bob")), "hi")).join();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> bobConnection.incoming() == 11);

    bob.acknowledge(UserId.of("alice"), MessageId.of("m0"));
    assertThat(store.entered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 11; i++) {
      bob.acknowledge(UserId.of("alice"), MessageId.of("m" + i)); // does not wait for the store
    }
    store.release.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> store.depth(bob.device()) == 0);
    assertThat(store.batches).containsExactly(1, 10);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                aliceConnection.events.stream()
                        .filter(
                            e ->
                                e instanceof ServerEvent.Incoming in
                                    && in.envelope().type() == MessageType.DELIVERED_RECEIPT)
                        .count()
                    == 11);
  }

  @Test
  @DisplayName("a device that acknowledged and disconnected is not given those messages again")
  void acknowledgementsSettledOnClose() throws Exception {
    GatedOfflineStore store = new GatedOfflineStore();
    server = ChatServer.builder().offlineStore(store).build().start();
    DeviceSession alice = server.connect(DeviceAddress.of("alice", "phone"), new Connection());
    Connection bobConnection = new Connection();
    DeviceSession bob = server.connect(DeviceAddress.of("bob", "phone"), bobConnection);
    alice.send(SendRequest.text("m0", Recipient.user(UserId.of("bob")), "one")).join();
    alice.send(SendRequest.text("m1", Recipient.user(UserId.of("bob")), "two")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> bobConnection.incoming() == 2);

    bob.acknowledge(UserId.of("alice"), MessageId.of("m0"));
    assertThat(store.entered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    bob.acknowledge(UserId.of("alice"), MessageId.of("m1"));
    Thread closer = new Thread(bob::close);
    closer.start();
    store.release.countDown();
    closer.join(5000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(store.depth(bob.device())).isZero();

    Connection again = new Connection();
    server.connect(bob.device(), again);
    alice.send(SendRequest.text("m2", Recipient.user(UserId.of("bob")), "three")).join();
    await().atMost(Duration.ofSeconds(5)).until(() -> again.incoming() > 0);
    assertThat(again.events)
        .filteredOn(e -> e instanceof ServerEvent.Incoming)
        .extracting(e -> ((ServerEvent.Incoming) e).envelope().id().value())
        .containsExactly("m2");
  }

  /** The in-memory store, with its first acknowledgeAll held until released; records batches. */
  static final class GatedOfflineStore extends ForwardingOfflineStore {
    final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    final List<Integer> batches = new CopyOnWriteArrayList<>();

    @Override
    public List<Boolean> acknowledgeAll(DeviceAddress device, List<Entry> entries) {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      batches.add(entries.size());
      return super.acknowledgeAll(device, entries);
    }
  }

  static final class Connection implements DeviceConnection {
    final List<ServerEvent> events = new CopyOnWriteArrayList<>();
    volatile @Nullable CloseReason closed;

    @Override
    public String connectionId() {
      return "c-" + System.identityHashCode(this);
    }

    @Override
    public boolean send(ServerEvent event) {
      events.add(event);
      return true;
    }

    @Override
    public void close(CloseReason reason, String detail) {
      closed = reason;
    }

    /** Messages and receipts received (presence and typing not counted). */
    long incoming() {
      return events.stream().filter(e -> e instanceof ServerEvent.Incoming).count();
    }
  }
}
