package io.messagingkit.broker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.ServerEvent;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.tck.kafka.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A chat server's delivery consumer on a real broker: no record and no handler failure stops it, so
 * one poisoned record never leaves the server's devices without live traffic.
 */
class KafkaDeliveryConsumerIT {

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String SERVER = "server-1";

  private final String name = KAFKA.uniqueName("deliveries");
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final KafkaMessageBus bus =
      KafkaMessageBus.builder(KAFKA.bootstrapServers())
          .inboundTopic(name + ".inbound")
          .deliveryTopic(name + ".deliveries")
          .consumerGroup(name)
          .inboundPartitions(1)
          .deliveryPartitions(4)
          .meterRegistry(meters)
          .build();

  @AfterEach
  void close() {
    bus.close();
  }

  private static Delivery typingTo(String user) {
    return new Delivery(
        DeviceAddress.of(user, "phone"),
        new ServerEvent.Typing(UserId.of("alice"), Recipient.user(UserId.of(user)), true));
  }

  @Test
  @DisplayName(
      "tombstones, foreign bytes and a handler that throws are skipped and later deliveries still"
          + " arrive, in order")
  void survivesPoisonedRecordsAndThrowingHandlers() throws Exception {
    List<String> taken = new CopyOnWriteArrayList<>();
    AutoCloseable handle =
        bus.attachServer(
            SERVER,
            delivery -> {
              String user = delivery.target().user().value();
              if (user.equals("throws-error")) {
                throw new AssertionError("a handler bug");
              }
              if (user.equals("throws-exception")) {
                throw new IllegalStateException("a handler failure");
              }
              taken.add(user);
            });
    try (KafkaProducer<byte[], byte[]> raw =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      byte[] key = SERVER.getBytes(StandardCharsets.UTF_8);
      int partition = bus.deliveryPartition(SERVER);
      String topic = bus.settings().deliveryTopic();
      bus.deliver(SERVER, typingTo("first")).get();
      raw.send(new ProducerRecord<>(topic, partition, key, null)).get(); // a tombstone
      raw.send(new ProducerRecord<>(topic, partition, key, new byte[] {1, 2, 3})).get();
      bus.deliver(SERVER, typingTo("throws-error")).get();
      bus.deliver(SERVER, typingTo("throws-exception")).get();
      bus.deliver(SERVER, typingTo("second")).get();
      bus.deliver(SERVER, typingTo("third")).get();
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> taken.size() >= 3);
    assertThat(taken).containsExactly("first", "second", "third");
    assertThat(meters.get("messagingkit.bus.deliveries.skipped").counter().count()).isEqualTo(4);
    handle.close();
  }
}
