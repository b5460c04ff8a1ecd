package io.messagingkit.broker.kafka;

import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.MessageBus.DeliveryHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one chat server's deliveries: the delivery-topic partition its id hashes to, from the end
 * as of attachment, passing on only the records keyed with its id, in offset order.
 */
final class DeliveryConsumer {

  private static final Logger log = LoggerFactory.getLogger(DeliveryConsumer.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicPartition partition;
  private final String serverId;
  private final byte[] key;
  private final DeliveryHandler handler;
  private final Thread thread;
  private final Counter received;
  private volatile boolean running = true;

  DeliveryConsumer(
      String topic,
      int partition,
      String serverId,
      Map<String, Object> config,
      DeliveryHandler handler,
      MeterRegistry meters) {
    this.consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.partition = new TopicPartition(topic, partition);
    this.serverId = serverId;
    this.key = serverId.getBytes(StandardCharsets.UTF_8);
    this.handler = handler;
    this.thread = new Thread(this::run, "messagingkit-kafka-deliveries-" + serverId);
    this.thread.setDaemon(true);
    this.received =
        Counter.builder("messagingkit.bus.deliveries.received")
            .description("Deliveries read from the delivery topic for an attached chat server")
            .tag("server", serverId)
            .register(meters);
  }

  /** Positions at the end of the partition (so later deliveries are seen), then starts reading. */
  void start() {
    consumer.assign(List.of(partition));
    consumer.seekToEnd(List.of(partition));
    consumer.position(partition, Duration.ofSeconds(30));
    thread.start();
  }

  void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (!Arrays.equals(key, record.key())) {
            continue;
          }
          Delivery delivery;
          try {
            delivery = BusCodec.decodeDelivery(record.value());
          } catch (IllegalArgumentException e) {
            log.error("skipping undecodable delivery at {}@{}", partition, record.offset(), e);
            continue;
          }
          received.increment();
          try {
            handler.onDelivery(delivery);
          } catch (RuntimeException e) {
            log.warn(
                "chat server {} failed to take a delivery for {}", serverId, delivery.target(), e);
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("delivery consumer of {} stopped", serverId, e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }
}
