package io.messagingkit.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Presence;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.MessageBus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link MessageBus}: per-key order of the inbound stream, at-least-once redelivery
 * of envelopes whose handler failed, routing of deliveries to the attached chat server only, and
 * close. Each test gets a fresh bus from {@link #createBus()}; buses created within one test
 * through {@link #another()} must share the backend (they play several chat-server processes).
 */
public abstract class MessageBusContract {

  /** How long a test waits for something asynchronous. */
  protected static final Duration WAIT = Duration.ofSeconds(60);

  protected MessageBus bus;
  private final List<MessageBus> created = new ArrayList<>();
  private String run;

  /**
   * A new bus. Buses created within one test share their backend (topics, queues); different tests
   * may get isolated backends.
   */
  protected abstract MessageBus createBus();

  /**
   * Another bus on the same backend as {@link #bus}: another chat-server process. An adapter that
   * cannot span processes (the in-process bus) returns {@code bus} itself.
   */
  protected MessageBus another() {
    MessageBus b = createBus();
    created.add(b);
    return b;
  }

  @BeforeEach
  void createTheBus() {
    run = UUID.randomUUID().toString().substring(0, 8);
    bus = createBus();
    created.add(bus);
  }

  @AfterEach
  void closeBuses() {
    for (MessageBus b : created) {
      b.close();
    }
    created.clear();
  }

  /** A user name unique to this test. */
  protected UserId user(String name) {
    return UserId.of(name + "-" + run);
  }

  /** A text envelope from {@code alice/phone} to {@code to}. */
  protected Envelope envelope(String id, UserId to) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Envelope(
        MessageId.of(id),
        new DeviceAddress(user("alice"), DeviceId.of("phone")),
        Recipient.user(to),
        MessageType.TEXT,
        id.getBytes(StandardCharsets.UTF_8),
        null,
        null,
        now,
        now,
        0);
  }

  private static List<String> ids(List<Envelope> envelopes) {
    return envelopes.stream().map(e -> e.id().value()).toList();
  }

  @Nested
  @DisplayName("the inbound stream")
  class Inbound {

    @Test
    @DisplayName("hands every published envelope to the consumer, in publish order per key")
    void orderPerKey() throws Exception {
      Map<String, List<Envelope>> seen = new ConcurrentHashMap<>();
      bus.consumeInbound(
          e -> {
            seen.computeIfAbsent(e.recipient().partitionKey(), k -> new CopyOnWriteArrayList<>())
                .add(e);
            return CompletableFuture.completedFuture(null);
          });
      List<UserId> users = List.of(user("bob"), user("carol"), user("dave"));
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        UserId to = users.get(i % users.size());
        futures.add(bus.publish(envelope("m" + i, to)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);

      for (int u = 0; u < users.size(); u++) {
        List<String> expected = new ArrayList<>();
        for (int i = u; i < 60; i += users.size()) {
          expected.add("m" + i);
        }
        String key = Recipient.user(users.get(u)).partitionKey();
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> assertThat(ids(seen.getOrDefault(key, List.of()))).isEqualTo(expected));
      }
    }

    @Test
    @DisplayName("carries every field of an envelope unchanged")
    void fieldsSurvive() throws Exception {
      List<Envelope> seen = new CopyOnWriteArrayList<>();
      bus.consumeInbound(
          e -> {
            seen.add(e);
            return CompletableFuture.completedFuture(null);
          });
      Instant t = Instant.parse("2026-05-01T10:15:30.123456789Z");
      Envelope media =
          new Envelope(
              MessageId.of("media-1"),
              new DeviceAddress(user("alice"), DeviceId.of("web")),
              Recipient.group(GroupId.of("g-" + run)),
              MessageType.MEDIA,
              new byte[] {0, 1, 2, (byte) 0xff},
              new MediaRef("obj/key-1", "image/png", 12345),
              null,
              t,
              t.plusMillis(5),
              42);
      Envelope receipt =
          new Envelope(
              MessageId.of("R:" + user("alice").value() + ":m1"),
              new DeviceAddress(user("bob"), DeviceId.of("phone")),
              Recipient.user(user("alice")),
              MessageType.READ_RECEIPT,
              new byte[0],
              null,
              MessageId.of("m1"),
              t,
              t,
              0);
      bus.publish(media).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      bus.publish(receipt).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> seen.size() >= 2);
      assertThat(seen).containsExactlyInAnyOrder(media, receipt);
    }

    @Test
    @DisplayName("hands an envelope whose handler failed over again, before later ones of its key")
    void redeliveredAfterFailure() throws Exception {
      List<String> attempts = new CopyOnWriteArrayList<>();
      List<String> acknowledged = new CopyOnWriteArrayList<>();
      Set<String> failedOnce = ConcurrentHashMap.newKeySet();
      bus.consumeInbound(
          e -> {
            String id = e.id().value();
            attempts.add(id);
            if ((id.equals("m2") || id.equals("m5")) && failedOnce.add(id)) {
              return CompletableFuture.failedFuture(new IllegalStateException("store down"));
            }
            acknowledged.add(id);
            return CompletableFuture.completedFuture(null);
          });
      UserId bob = user("bob");
      for (int i = 1; i <= 6; i++) {
        bus.publish(envelope("m" + i, bob)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(acknowledged).containsExactly("m1", "m2", "m3", "m4", "m5", "m6"));
      assertThat(attempts).containsSubsequence("m1", "m2", "m2", "m3", "m4", "m5", "m5", "m6");
      assertThat(attempts.indexOf("m3")).isGreaterThan(attempts.lastIndexOf("m2"));
    }

    @Test
    @DisplayName("redelivers an envelope whose handler stage completes exceptionally later")
    void redeliveredAfterAsyncFailure() throws Exception {
      List<String> acknowledged = new CopyOnWriteArrayList<>();
      Set<String> failedOnce = ConcurrentHashMap.newKeySet();
      bus.consumeInbound(
          e -> {
            String id = e.id().value();
            if (failedOnce.add(id)) {
              return CompletableFuture.supplyAsync(
                  () -> {
                    throw new IllegalStateException("later failure of " + id);
                  });
            }
            acknowledged.add(id);
            return CompletableFuture.completedFuture(null);
          });
      UserId bob = user("bob");
      for (int i = 1; i <= 3; i++) {
        bus.publish(envelope("a" + i, bob)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(acknowledged).containsExactly("a1", "a2", "a3"));
    }

    @Test
    @DisplayName("hands over non-empty batches, in publish order per key")
    void batchesInOrderPerKey() throws Exception {
      Map<String, List<Envelope>> seen = new ConcurrentHashMap<>();
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      bus.consumeInboundBatches(
          batch -> {
            sizes.add(batch.size());
            for (Envelope e : batch) {
              seen.computeIfAbsent(e.recipient().partitionKey(), k -> new CopyOnWriteArrayList<>())
                  .add(e);
            }
            return CompletableFuture.completedFuture(null);
          });
      List<UserId> users = List.of(user("bob"), user("carol"), user("dave"));
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int i = 0; i < 90; i++) {
        futures.add(bus.publish(envelope("b" + i, users.get(i % users.size()))));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);

      for (int u = 0; u < users.size(); u++) {
        List<String> expected = new ArrayList<>();
        for (int i = u; i < 90; i += users.size()) {
          expected.add("b" + i);
        }
        String key = Recipient.user(users.get(u)).partitionKey();
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> assertThat(ids(seen.getOrDefault(key, List.of()))).isEqualTo(expected));
      }
      assertThat(sizes).allMatch(n -> n > 0);
    }

    @Test
    @DisplayName("hands a failed batch over again; what its key published later waits for it")
    void failedBatchRedelivered() throws Exception {
      List<String> acknowledged = new CopyOnWriteArrayList<>();
      Set<String> failedOnce = ConcurrentHashMap.newKeySet();
      bus.consumeInboundBatches(
          batch -> {
            List<String> ids = ids(batch);
            for (String id : List.of("c2", "c5")) {
              if (ids.contains(id) && failedOnce.add(id)) {
                return CompletableFuture.failedFuture(new IllegalStateException("store down"));
              }
            }
            acknowledged.addAll(ids);
            return CompletableFuture.completedFuture(null);
          });
      UserId bob = user("bob");
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      for (int i = 1; i <= 6; i++) {
        futures.add(bus.publish(envelope("c" + i, bob)));
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(acknowledged).containsExactly("c1", "c2", "c3", "c4", "c5", "c6"));
      assertThat(failedOnce).containsExactlyInAnyOrder("c2", "c5");
    }

    @Test
    @DisplayName("accepts only one consumer per bus")
    void oneConsumer() {
      bus.consumeInbound(e -> CompletableFuture.completedFuture(null));
      assertThatThrownBy(() -> bus.consumeInbound(e -> CompletableFuture.completedFuture(null)))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Nested
  @DisplayName("deliveries")
  class Deliveries {

    private Delivery delivery(UserId user, int n) {
      return new Delivery(
          new DeviceAddress(user, DeviceId.of("phone")),
          new ServerEvent.Incoming(envelope("d" + n, user), n + 1));
    }

    @Test
    @DisplayName("reach only the chat server they are addressed to, in order per device")
    void routedToTheRightServer() throws Exception {
      MessageBus other = another();
      List<Delivery> atOne = new CopyOnWriteArrayList<>();
      List<Delivery> atTwo = new CopyOnWriteArrayList<>();
      String one = "chat-1-" + run;
      String two = "chat-2-" + run;
      AutoCloseable h1 = bus.attachServer(one, atOne::add);
      AutoCloseable h2 = other.attachServer(two, atTwo::add);
      UserId bob = user("bob");
      UserId carol = user("carol");
      List<Delivery> toOne = new ArrayList<>();
      List<Delivery> toTwo = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Delivery d1 = delivery(bob, i);
        Delivery d2 = delivery(carol, i);
        toOne.add(d1);
        toTwo.add(d2);
        bus.deliver(one, d1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        bus.deliver(two, d2).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      await().atMost(WAIT).until(() -> atOne.size() >= 20 && atTwo.size() >= 20);
      assertThat(atOne).containsExactlyElementsOf(toOne);
      assertThat(atTwo).containsExactlyElementsOf(toTwo);
      h1.close();
      h2.close();
    }

    @Test
    @DisplayName("carry every kind of server event unchanged")
    void everyEventKind() throws Exception {
      List<Delivery> seen = new CopyOnWriteArrayList<>();
      String server = "chat-" + run;
      AutoCloseable handle = bus.attachServer(server, seen::add);
      DeviceAddress target = new DeviceAddress(user("bob"), DeviceId.of("p"));
      GroupId group = GroupId.of("g-" + run);
      List<Delivery> sent =
          List.of(
              new Delivery(target, new ServerEvent.Incoming(envelope("x1", user("bob")), 7)),
              new Delivery(
                  target,
                  new ServerEvent.PresenceChanged(
                      new Presence(user("alice"), false, Instant.parse("2026-01-02T03:04:05Z")))),
              new Delivery(
                  target, new ServerEvent.PresenceChanged(Presence.unknown(user("carol")))),
              new Delivery(
                  target, new ServerEvent.Typing(user("alice"), Recipient.group(group), true)),
              new Delivery(
                  target,
                  new ServerEvent.GroupChanged(
                      group, ServerEvent.GroupChanged.Change.MEMBER_ADDED, user("alice"), null)),
              new Delivery(
                  target,
                  new ServerEvent.GroupChanged(
                      group,
                      ServerEvent.GroupChanged.Change.ADMIN_PROMOTED,
                      user("alice"),
                      user("bob"))));
      for (Delivery d : sent) {
        bus.deliver(server, d).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      await().atMost(WAIT).until(() -> seen.size() >= sent.size());
      assertThat(seen).containsExactlyElementsOf(sent);
      handle.close();
    }

    @Test
    @DisplayName("stop after detaching; a server attached again under the id gets later ones")
    void detach() throws Exception {
      List<Delivery> first = new CopyOnWriteArrayList<>();
      List<Delivery> second = new CopyOnWriteArrayList<>();
      String server = "chat-" + run;
      UserId bob = user("bob");
      Delivery d1 = delivery(bob, 1);
      Delivery d2 = delivery(bob, 2);
      AutoCloseable handle = bus.attachServer(server, first::add);
      bus.deliver(server, d1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> first.size() == 1);
      handle.close();

      AutoCloseable again = bus.attachServer(server, second::add);
      bus.deliver(server, d2).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> second.contains(d2));
      assertThat(first).containsExactly(d1);
      again.close();
    }

    @Test
    @DisplayName("refuse a second attachment under the same server id")
    void attachedOnce() throws Exception {
      String server = "chat-" + run;
      try (AutoCloseable handle = bus.attachServer(server, d -> {})) {
        assertThatThrownBy(() -> bus.attachServer(server, d -> {}))
            .isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Nested
  @DisplayName("close")
  class Close {

    @Test
    @DisplayName("makes later publishes fail instead of hanging")
    void publishAfterClose() {
      bus.consumeInbound(e -> CompletableFuture.completedFuture(null));
      bus.close();
      assertThatThrownBy(
              () ->
                  bus.publish(envelope("late", user("bob")))
                      .get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .hasCauseInstanceOf(UnavailableException.class);
    }

    @Test
    @DisplayName("may be called twice")
    void closeTwice() {
      bus.close();
      bus.close();
    }
  }
}
