package io.messagingkit.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.memory.InMemoryContactGraph;
import io.messagingkit.core.memory.InMemoryDeviceDirectory;
import io.messagingkit.core.memory.InMemoryIdempotencyStore;
import io.messagingkit.core.memory.InMemoryMessageArchive;
import io.messagingkit.core.memory.InProcessMessageBus;
import io.messagingkit.core.port.ContactGraph;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.DeviceDirectory;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.MessageBus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The messaging service given a batch of inbound envelopes at once (as the Kafka bus does): the
 * scenario suite on the in-process bus only ever hands it batches of one.
 */
class BatchRoutingTest {

  private static final Instant T = Instant.parse("2026-11-29T10:00:00Z");
  private static final DeviceAddress ALICE = DeviceAddress.of("alice", "phone");
  private static final DeviceAddress BOB = DeviceAddress.of("bob", "phone");

  private final CountingDeviceDirectory devices = new CountingDeviceDirectory();
  private final CountingContactGraph contacts = new CountingContactGraph();
  private final FailingOfflineStore offline = new FailingOfflineStore();
  private final InMemoryMessageArchive archive = new InMemoryMessageArchive();
  private final CountingIdempotencyStore idempotency = new CountingIdempotencyStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final CapturingBus bus = new CapturingBus();
  private ChatServer server;

  @BeforeEach
  void start() {
    devices.register(ALICE);
    devices.register(BOB);
    server =
        ChatServer.builder()
            .messageBus(bus)
            .deviceDirectory(devices)
            .contactGraph(contacts)
            .offlineStore(offline)
            .messageArchive(archive)
            .idempotencyStore(idempotency)
            .meterRegistry(meters)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  @DisplayName("a batch is stored in order, once per envelope, with one acceptAll and completeAll")
  void batchStoredInOrder() {
    idempotency.accept(ALICE.user(), MessageId.of("m0"), Recipient.user(BOB.user()), T);
    idempotency.complete(ALICE.user(), MessageId.of("m0"));

    route(
        message("m0", BOB.user()),
        message("m1", BOB.user()),
        message("m2", BOB.user()),
        message("m1", BOB.user()),
        receipt(BOB, "m9", ALICE.user()),
        message("m3", BOB.user()));

    assertThat(ids(offline.fetch(BOB, 0, 100))).containsExactly("m1", "m2", "m3");
    assertThat(ids(offline.fetch(ALICE, 0, 100))).containsExactly("D:alice:m9");
    assertThat(archive.page(Conversation.direct(ALICE.user(), BOB.user()), null, 10).messages())
        .extracting(e -> e.id().value())
        .containsExactly("m3", "m2", "m1");
    assertThat(idempotency.acceptAllCalls.get()).isEqualTo(1);
    assertThat(idempotency.completeAllCalls.get()).isEqualTo(1);
    for (String id : List.of("m1", "m2", "m3")) {
      assertThat(
              idempotency
                  .accept(ALICE.user(), MessageId.of(id), Recipient.user(BOB.user()), T)
                  .status())
          .isEqualTo(IdempotencyStore.Status.COMPLETED);
    }
  }

  @Test
  @DisplayName(
      "devices are looked up once per batch, a pair is linked once per process, and a device"
          + " registered between batches gets the next batch")
  void lookupsOncePerBatch() {
    UserId carol = UserId.of("carol");
    devices.register(DeviceAddress.of("carol", "phone"));
    devices.calls.set(0);

    route(
        message("m1", BOB.user()),
        message("m2", carol),
        receipt(BOB, "m0", ALICE.user()),
        message("m3", BOB.user()));
    assertThat(devices.calls.get()).as("devicesOf calls").isEqualTo(1);
    assertThat(devices.singleCalls.get()).as("devices calls").isZero();

    DeviceAddress bobLaptop = DeviceAddress.of("bob", "laptop");
    devices.register(bobLaptop);
    route(message("m4", BOB.user()), message("m5", carol));

    assertThat(contacts.links.get()).as("link calls").isEqualTo(2);
    assertThat(contacts.contactsOf(ALICE.user())).containsExactlyInAnyOrder(BOB.user(), carol);
    assertThat(ids(offline.fetch(BOB, 0, 100))).containsExactly("m1", "m3", "m4");
    assertThat(ids(offline.fetch(bobLaptop, 0, 100))).containsExactly("m4");
    assertThat(ids(offline.fetch(DeviceAddress.of("carol", "phone"), 0, 100)))
        .containsExactly("m2", "m5");
  }

  @Test
  @DisplayName("a group message from a non-member is dropped and the rest of its batch goes on")
  void nonMemberDroppedRestRouted() {
    GroupId group = GroupId.of("g1");
    Envelope intruder =
        new Envelope(
            MessageId.of("g-m1"),
            ALICE,
            Recipient.group(group),
            MessageType.TEXT,
            "hi".getBytes(StandardCharsets.UTF_8),
            null,
            null,
            T,
            T,
            0);

    route(intruder, message("m1", BOB.user()));

    assertThat(ids(offline.fetch(BOB, 0, 100))).containsExactly("m1");
    assertThat(meters.counter("messagingkit.messages.dropped").count()).isEqualTo(1);
    assertThat(
            idempotency
                .accept(ALICE.user(), MessageId.of("g-m1"), Recipient.user(BOB.user()), T)
                .status())
        .isEqualTo(IdempotencyStore.Status.COMPLETED);
  }

  @Test
  @DisplayName("a batch handed over again repeats nothing")
  void redeliveredBatchRepeatsNothing() {
    List<Envelope> batch = List.of(message("m1", BOB.user()), message("m2", BOB.user()));
    route(batch.toArray(Envelope[]::new));
    route(batch.toArray(Envelope[]::new));

    assertThat(ids(offline.fetch(BOB, 0, 100))).containsExactly("m1", "m2");
    assertThat(archive.page(Conversation.direct(ALICE.user(), BOB.user()), null, 10).messages())
        .hasSize(2);
  }

  @Test
  @DisplayName("a failing store fails the whole batch, and handing it over again completes it")
  void failureFailsTheBatch() {
    offline.failNext = true;
    CompletionStage<Void> first =
        bus.batches.apply(List.of(message("m1", BOB.user()), message("m2", BOB.user())));
    assertThat(first.toCompletableFuture()).isCompletedExceptionally();
    assertThat(offline.fetch(BOB, 0, 100)).isEmpty();

    route(message("m1", BOB.user()), message("m2", BOB.user()));
    assertThat(ids(offline.fetch(BOB, 0, 100))).containsExactly("m1", "m2");
  }

  private void route(Envelope... envelopes) {
    assertThat(bus.batches).as("the server consumes batches").isNotNull();
    bus.batches.apply(List.of(envelopes)).toCompletableFuture().join();
  }

  private static List<String> ids(List<QueuedMessage> queue) {
    return queue.stream().map(q -> q.envelope().id().value()).toList();
  }

  private static Envelope message(String id, UserId to) {
    return new Envelope(
        MessageId.of(id),
        ALICE,
        Recipient.user(to),
        MessageType.TEXT,
        id.getBytes(StandardCharsets.UTF_8),
        null,
        null,
        T,
        T,
        0);
  }

  private static Envelope receipt(DeviceAddress from, String of, UserId to) {
    return new Envelope(
        MessageId.of("D:" + to.value() + ":" + of),
        from,
        Recipient.user(to),
        MessageType.DELIVERED_RECEIPT,
        new byte[0],
        null,
        MessageId.of(of),
        T,
        T,
        0);
  }

  /** Counts the lookups. */
  private static final class CountingDeviceDirectory implements DeviceDirectory {
    private final InMemoryDeviceDirectory delegate = new InMemoryDeviceDirectory();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger singleCalls = new AtomicInteger();

    @Override
    public boolean register(DeviceAddress device) {
      return delegate.register(device);
    }

    @Override
    public Registration register(DeviceAddress device, java.time.Instant seenAt, int max) {
      return delegate.register(device, seenAt, max);
    }

    @Override
    public boolean touch(DeviceAddress device, java.time.Instant seenAt) {
      return delegate.touch(device, seenAt);
    }

    @Override
    public Map<DeviceId, java.time.Instant> lastSeen(UserId user) {
      return delegate.lastSeen(user);
    }

    @Override
    public List<DeviceAddress> unseenSince(java.time.Instant cutoff, int limit) {
      return delegate.unseenSince(cutoff, limit);
    }

    @Override
    public List<DeviceId> devices(UserId user) {
      singleCalls.incrementAndGet();
      return delegate.devices(user);
    }

    @Override
    public Map<UserId, List<DeviceId>> devicesOf(Collection<UserId> users) {
      calls.incrementAndGet();
      return delegate.devicesOf(users);
    }

    @Override
    public boolean remove(DeviceAddress device) {
      return delegate.remove(device);
    }

    @Override
    public void setPushTarget(DeviceAddress device, PushTarget target) {
      delegate.setPushTarget(device, target);
    }

    @Override
    public Optional<PushTarget> pushTarget(DeviceAddress device) {
      return delegate.pushTarget(device);
    }

    @Override
    public boolean clearPushTarget(DeviceAddress device, PushTarget target) {
      return delegate.clearPushTarget(device, target);
    }
  }

  /** Counts the writes. */
  private static final class CountingContactGraph implements ContactGraph {
    private final InMemoryContactGraph delegate = new InMemoryContactGraph();
    final AtomicInteger links = new AtomicInteger();

    @Override
    public void link(UserId a, UserId b) {
      links.incrementAndGet();
      delegate.link(a, b);
    }

    @Override
    public Set<UserId> contactsOf(UserId user) {
      return delegate.contactsOf(user);
    }
  }

  /** Counts the batch calls. */
  private static final class CountingIdempotencyStore implements IdempotencyStore {
    private final InMemoryIdempotencyStore delegate = new InMemoryIdempotencyStore();
    final AtomicInteger acceptAllCalls = new AtomicInteger();
    final AtomicInteger completeAllCalls = new AtomicInteger();

    @Override
    public Acceptance accept(UserId sender, MessageId id, Recipient to, Instant now) {
      return delegate.accept(sender, id, to, now);
    }

    @Override
    public java.util.Optional<Accepted> find(UserId sender, MessageId id) {
      return delegate.find(sender, id);
    }

    @Override
    public void complete(UserId sender, MessageId id) {
      delegate.complete(sender, id);
    }

    @Override
    public int purgeOlderThan(Instant cutoff) {
      return delegate.purgeOlderThan(cutoff);
    }

    @Override
    public List<Acceptance> acceptAll(List<Addressed> messages, Instant now) {
      acceptAllCalls.incrementAndGet();
      return IdempotencyStore.super.acceptAll(messages, now);
    }

    @Override
    public void completeAll(List<Key> keys) {
      completeAllCalls.incrementAndGet();
      IdempotencyStore.super.completeAll(keys);
    }
  }

  /** An offline store that can be told to fail its next enqueue, as a database outage would. */
  private static final class FailingOfflineStore extends ForwardingOfflineStore {
    volatile boolean failNext;

    @Override
    public List<Long> enqueueAll(List<Item> items) {
      if (failNext) {
        failNext = false;
        throw new UnavailableException("database down");
      }
      return super.enqueueAll(items);
    }
  }

  /** Takes the server's batch consumer for the test to call; everything else in process. */
  private static final class CapturingBus implements MessageBus {
    private final InProcessMessageBus delegate = InProcessMessageBus.create();
    @Nullable Function<List<Envelope>, CompletionStage<Void>> batches;

    @Override
    public CompletableFuture<Void> publish(Envelope envelope) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("not in this test"));
    }

    @Override
    public void consumeInbound(Function<Envelope, CompletionStage<Void>> handler) {
      throw new UnsupportedOperationException("the server consumes batches");
    }

    @Override
    public void consumeInboundBatches(Function<List<Envelope>, CompletionStage<Void>> handler) {
      this.batches = handler;
    }

    @Override
    public CompletableFuture<Void> deliver(String serverId, Delivery delivery) {
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
