package io.messagingkit.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.ChatServer;
import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.DeviceId;
import io.messagingkit.core.DeviceSession;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.SendReceipt;
import io.messagingkit.core.SendRequest;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.store.jdbc.JdbcStores;
import io.messagingkit.store.redis.RedisSessionRegistry;
import io.messagingkit.tck.RecordingConnection;
import io.messagingkit.tck.kafka.KafkaBroker;
import io.messagingkit.tck.kafka.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults of the clustered deployment on real Kafka, Redis and PostgreSQL: a messaging-service
 * consumer that dies with handled but uncommitted records, and a broker restarted under load.
 */
class KafkaFaultsIT {

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final Duration WAIT = Duration.ofSeconds(90);

  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String name = KAFKA.uniqueName("faults");
  private final String prefix = ClusterBackends.freshRedisPrefix();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    ClusterBackends.deleteRedisKeys(prefix);
  }

  private KafkaMessageBus bus(String serverId, SimpleMeterRegistry meters) {
    KafkaMessageBus bus =
        KafkaMessageBus.builder(KAFKA.bootstrapServers())
            .inboundTopic(name + ".inbound")
            .deliveryTopic(name + ".deliveries")
            .consumerGroup(name)
            .serverId(serverId)
            .inboundPartitions(4)
            .deliveryPartitions(4)
            .meterRegistry(meters)
            .build();
    toClose.add(bus);
    return bus;
  }

  private ChatServer server(String serverId, KafkaMessageBus bus) {
    RedisSessionRegistry registry =
        RedisSessionRegistry.builder(ClusterBackends.REDIS_HOST, ClusterBackends.REDIS_PORT)
            .keyPrefix(prefix)
            .build();
    toClose.add(registry);
    JdbcStores stores = ClusterBackends.stores();
    ChatServer server =
        ChatServer.builder()
            .serverId(serverId)
            .messageBus(bus)
            .sessionRegistry(registry)
            .offlineStore(stores.offlineStore())
            .idempotencyStore(stores.idempotencyStore())
            .groupDirectory(stores.groupDirectory())
            .messageArchive(stores.messageArchive())
            .deviceDirectory(stores.deviceDirectory())
            .contactGraph(stores.contactGraph())
            .build();
    toClose.add(server);
    return server;
  }

  private UserId user(String n) {
    return UserId.of(n + "-" + run);
  }

  private static DeviceAddress phone(UserId user) {
    return new DeviceAddress(user, DeviceId.of("phone"));
  }

  /** How often each message id (not receipts) reached the connection. */
  private static Map<String, Long> arrivals(RecordingConnection connection) {
    return connection.events(ServerEvent.Incoming.class).stream()
        .filter(in -> !in.envelope().type().isReceipt())
        .collect(Collectors.groupingBy(in -> in.envelope().id().value(), Collectors.counting()));
  }

  @Test
  @DisplayName(
      "a consumer that dies with handled, uncommitted records: the next one gets them again and"
          + " the recipient sees each message once")
  void consumerCrash() {
    SimpleMeterRegistry meters1 = new SimpleMeterRegistry();
    SimpleMeterRegistry meters2 = new SimpleMeterRegistry();
    KafkaMessageBus bus1 = bus("chat-1-" + run, meters1);
    ChatServer server1 = server("chat-1-" + run, bus1).start();
    RecordingConnection bobConnection = new RecordingConnection();
    DeviceSession alice = server1.connect(phone(user("alice")), new RecordingConnection());
    server1.connect(phone(user("bob")), bobConnection);

    alice.send(SendRequest.text("warm-up", Recipient.user(user("bob")), "hi")).join();
    await().atMost(WAIT).until(() -> arrivals(bobConnection).containsKey("warm-up"));
    bus1.holdCommits(true);
    for (int i = 0; i < 20; i++) {
      alice.send(SendRequest.text("c" + i, Recipient.user(user("bob")), "n" + i)).join();
    }
    await().atMost(WAIT).until(() -> arrivals(bobConnection).size() == 21);
    assertThat(meters1.counter("messagingkit.bus.handled").count()).isGreaterThanOrEqualTo(21);
    bus1.crashInboundConsumer();

    KafkaMessageBus bus2 = bus("chat-2-" + run, meters2);
    server("chat-2-" + run, bus2).start();
    // the uncommitted records are handed to the new consumer ...
    await().atMost(WAIT).until(() -> meters2.counter("messagingkit.bus.handled").count() >= 20);
    // ... which keeps routing new ones
    alice.send(SendRequest.text("after", Recipient.user(user("bob")), "after")).join();
    await().atMost(WAIT).until(() -> arrivals(bobConnection).containsKey("after"));

    Map<String, Long> seen = arrivals(bobConnection);
    assertThat(seen).hasSize(22);
    assertThat(seen.values()).allMatch(n -> n == 1L);
  }

  @Test
  @DisplayName("the broker killed and restarted mid-load: every acknowledged message arrives once")
  void brokerRestart() throws Exception {
    KafkaMessageBus bus = bus("chat-1-" + run, new SimpleMeterRegistry());
    ChatServer server = server("chat-1-" + run, bus).start();
    RecordingConnection bobConnection = new RecordingConnection(100_000);
    DeviceSession alice = server.connect(phone(user("alice")), new RecordingConnection(100_000));
    server.connect(phone(user("bob")), bobConnection);
    UserId bob = user("bob");

    int total = 300;
    Map<String, CompletableFuture<SendReceipt>> sends = new HashMap<>();
    KafkaBroker broker = KAFKA.broker();
    CompletableFuture<Void> restarted = null;
    for (int i = 0; i < total; i++) {
      if (i == total / 3) {
        // the first third acknowledged, then the broker dies and comes back on its own thread
        // while the second third is sent; the last third goes to the restarted broker
        CompletableFuture.allOf(sends.values().toArray(CompletableFuture[]::new)).join();
        broker.kill();
        restarted = CompletableFuture.runAsync(broker::start);
      }
      if (i == 2 * total / 3) {
        restarted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      String id = "r" + i;
      sends.put(id, alice.send(SendRequest.text(id, Recipient.user(bob), id)));
    }
    List<String> acknowledged = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<SendReceipt>> e : sends.entrySet()) {
      try {
        e.getValue().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        acknowledged.add(e.getKey());
      } catch (java.util.concurrent.ExecutionException | CompletionException ex) {
        refused.add(e.getKey());
      }
    }
    assertThat(acknowledged).hasSizeGreaterThan(total / 3);
    // a client resends what was refused, with the same id
    for (String id : refused) {
      await()
          .atMost(WAIT)
          .until(
              () -> {
                try {
                  alice
                      .send(SendRequest.text(id, Recipient.user(bob), id))
                      .get(30, TimeUnit.SECONDS);
                  return true;
                } catch (Exception ex) {
                  return false;
                }
              });
    }
    // every acknowledged message is in bob's queue (live deliveries in flight at the kill are
    // best-effort; the queue is what counts) ...
    DeviceAddress bobPhone = phone(bob);
    await()
        .atMost(WAIT)
        .until(() -> ClusterBackends.stores().offlineStore().depth(bobPhone) >= total);
    assertThat(ClusterBackends.stores().offlineStore().depth(bobPhone)).isEqualTo(total);
    // ... what reached bob live reached him once ...
    assertThat(arrivals(bobConnection).values()).allMatch(n -> n == 1L);
    // ... and his next connection gets all of it, each message once
    RecordingConnection again = new RecordingConnection(100_000);
    DeviceSession bobAgain = server.connect(bobPhone, again);
    // acknowledging as it reads, as a client does: the server sends at most a delivery window
    // ahead of the device's acknowledgments
    await()
        .atMost(WAIT)
        .until(
            () -> {
              again.events(ServerEvent.Incoming.class).stream()
                  .mapToLong(ServerEvent.Incoming::queueSequence)
                  .max()
                  .ifPresent(bobAgain::acknowledgeUpTo);
              return arrivals(again).size() >= total;
            });
    Map<String, Long> seen = arrivals(again);
    assertThat(seen.keySet()).containsAll(acknowledged);
    assertThat(seen).hasSize(total);
    assertThat(seen.values()).allMatch(n -> n == 1L);
  }
}
