package io.messagingkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServerTest.Connection;
import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.memory.InProcessMessageBus;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.MessageBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A live delivery that never reaches the chat server (a bus that loses it, a consumer that died and
 * came back) must still reach the connected device, in queue order, without it reconnecting; and
 * cumulative acknowledgements remove exactly what the device was given.
 */
class LiveDeliveryLossTest {

  private static final DeviceAddress ALICE = DeviceAddress.of("alice", "phone");
  private static final DeviceAddress BOB = DeviceAddress.of("bob", "phone");

  private final InMemoryOfflineStore offline = new InMemoryOfflineStore();
  private final LossyBus bus = new LossyBus(InProcessMessageBus.create());
  private ChatServer server;

  private ChatServer start(ChatServerSettings settings) {
    server =
        ChatServer.builder()
            .settings(settings)
            .messageBus(bus)
            .offlineStore(offline)
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

  private static void send(DeviceSession from, String id) {
    from.send(SendRequest.text(id, Recipient.user(BOB.user()), "text " + id)).join();
  }

  private static List<String> messageIds(Connection connection) {
    List<String> ids = new ArrayList<>();
    for (ServerEvent e : connection.events) {
      if (e instanceof ServerEvent.Incoming in && !in.envelope().type().isReceipt()) {
        ids.add(in.envelope().id().value());
      }
    }
    return ids;
  }

  @Test
  @DisplayName(
      "a lost live delivery reaches the connected device before the next one, nothing twice")
  void gapFilledFromTheQueue() {
    // the default idle timeout (15 s) is longer than the wait: only gap detection can pass
    start(ChatServerSettings.defaults());
    Connection bobConnection = new Connection();
    server.connect(BOB, bobConnection);
    DeviceSession alice = server.connect(ALICE, new Connection());
    bus.lose("m2");

    send(alice, "m1");
    send(alice, "m2");
    send(alice, "m3");

    await().atMost(Duration.ofSeconds(5)).until(() -> messageIds(bobConnection).size() >= 3);
    assertThat(bus.lost()).containsExactly("m2");
    assertThat(messageIds(bobConnection)).containsExactly("m1", "m2", "m3");
    assertThat(bobConnection.closed).isNull();
  }

  @Test
  @DisplayName(
      "a lost last delivery reaches the device that stays connected, within the idle timeout")
  void lastDeliveryFoundByTheTimer() {
    start(
        ChatServerSettings.defaults().withHeartbeat(Duration.ofMillis(50), Duration.ofMillis(500)));
    Connection bobConnection = new Connection();
    DeviceSession bob = server.connect(BOB, bobConnection);
    DeviceSession alice = server.connect(ALICE, new Connection());
    bus.lose("m2");

    send(alice, "m1");
    await().atMost(Duration.ofSeconds(5)).until(() -> messageIds(bobConnection).size() == 1);
    bob.acknowledge(ALICE.user(), MessageId.of("m1"));
    send(alice, "m2");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              bob.heartbeat();
              alice.heartbeat();
              return messageIds(bobConnection).size() >= 2;
            });
    assertThat(bus.lost()).containsExactly("m2");
    assertThat(messageIds(bobConnection)).containsExactly("m1", "m2");
    assertThat(bobConnection.closed).isNull();
  }

  @Test
  @DisplayName("what stays unacknowledged past the idle timeout is sent again, in queue order")
  void unacknowledgedSentAgain() {
    start(
        ChatServerSettings.defaults().withHeartbeat(Duration.ofMillis(50), Duration.ofMillis(500)));
    Connection bobConnection = new Connection();
    DeviceSession bob = server.connect(BOB, bobConnection);
    DeviceSession alice = server.connect(ALICE, new Connection());
    send(alice, "m1");
    send(alice, "m2");
    send(alice, "m3");
    await().atMost(Duration.ofSeconds(5)).until(() -> messageIds(bobConnection).size() == 3);
    bob.acknowledge(ALICE.user(), MessageId.of("m1")); // m2 and m3 were "lost" by the device

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              bob.heartbeat();
              alice.heartbeat();
              return messageIds(bobConnection).size() >= 5;
            });
    assertThat(messageIds(bobConnection).subList(0, 5))
        .containsExactly("m1", "m2", "m3", "m2", "m3");
    assertThat(bobConnection.closed).isNull();
  }

  @Test
  @DisplayName(
      "a cumulative acknowledgement removes what was given up to that position, tells each sender"
          + " DELIVERED, and never removes what was not given yet")
  void cumulativeAcknowledgement() {
    start(ChatServerSettings.defaults().withDelivery(200, 3));
    Connection aliceConnection = new Connection();
    DeviceSession alice = server.connect(ALICE, aliceConnection);
    server.connect(BOB, new Connection()).close(); // a known device, offline
    for (int i = 1; i <= 6; i++) {
      send(alice, "m" + i);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> offline.depth(BOB) == 6);
    Connection bobConnection = new Connection();
    DeviceSession bob = server.connect(BOB, bobConnection);
    await().atMost(Duration.ofSeconds(5)).until(() -> messageIds(bobConnection).size() == 3);
    assertThat(messageIds(bobConnection)).containsExactly("m1", "m2", "m3"); // the window is full

    bob.acknowledgeUpTo(Long.MAX_VALUE); // beyond what was given: taken as position of m3

    await().atMost(Duration.ofSeconds(5)).until(() -> messageIds(bobConnection).size() == 6);
    assertThat(messageIds(bobConnection)).containsExactly("m1", "m2", "m3", "m4", "m5", "m6");
    assertThat(offline.depth(BOB)).isEqualTo(3);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> deliveredReceipts(aliceConnection).size() == 3);

    long last = ((ServerEvent.Incoming) bobConnection.events.get(5)).queueSequence();
    bob.acknowledgeUpTo(last);
    await().atMost(Duration.ofSeconds(5)).until(() -> offline.depth(BOB) == 0);
    await() // alice's window is 3 as well: she acknowledges the receipts she was given
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              aliceConnection.events.stream()
                  .filter(e -> e instanceof ServerEvent.Incoming)
                  .mapToLong(e -> ((ServerEvent.Incoming) e).queueSequence())
                  .max()
                  .ifPresent(alice::acknowledgeUpTo);
              return deliveredReceipts(aliceConnection).size() == 6;
            });
    assertThat(deliveredReceipts(aliceConnection))
        .containsExactly("m1", "m2", "m3", "m4", "m5", "m6");
  }

  private static List<String> deliveredReceipts(Connection connection) {
    List<String> ids = new ArrayList<>();
    for (ServerEvent e : connection.events) {
      if (e instanceof ServerEvent.Incoming in
          && in.envelope().type() == MessageType.DELIVERED_RECEIPT) {
        ids.add(in.envelope().refersTo().value());
      }
    }
    return ids;
  }

  /** The in-process bus, except that it loses the live delivery of chosen message ids once. */
  private static final class LossyBus implements MessageBus {
    private final MessageBus delegate;
    private final Set<String> toLose = ConcurrentHashMap.newKeySet();
    private final List<String> lost = new java.util.concurrent.CopyOnWriteArrayList<>();

    LossyBus(MessageBus delegate) {
      this.delegate = delegate;
    }

    void lose(String messageId) {
      toLose.add(messageId);
    }

    List<String> lost() {
      return lost;
    }

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
      return delegate.publish(envelope);
    }

    @Override
    public void consumeInbound(Function<Envelope, CompletionStage<Void>> handler) {
      delegate.consumeInbound(handler);
    }

    @Override
    public void consumeInboundBatches(Function<List<Envelope>, CompletionStage<Void>> handler) {
      delegate.consumeInboundBatches(handler);
    }

    @Override
    public CompletableFuture<Void> deliver(String serverId, Delivery delivery) {
      if (delivery.event() instanceof ServerEvent.Incoming in
          && toLose.remove(in.envelope().id().value())) {
        lost.add(in.envelope().id().value());
        return CompletableFuture.completedFuture(null); // "handed to the transport", then lost
      }
      return delegate.deliver(serverId, delivery);
    }

    @Override
    public AutoCloseable attachServer(String serverId, DeliveryHandler handler) {
      return delegate.attachServer(serverId, handler);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
