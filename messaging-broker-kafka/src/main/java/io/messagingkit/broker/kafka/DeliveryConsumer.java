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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
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
  private final Counter skipped;
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
    this.skipped =
        Counter.builder("messagingkit.bus.deliveries.skipped")
            .description("Delivery records that did not decode or whose handler threw")
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

  /**
   * Reads until closed. Nothing a record or the handler does ends the loop: a record that does not
   * decode (a tombstone, a foreign producer's bytes) and a handler that throws (an exception or an
   * error other than running out of memory) are logged and skipped, so one poisoned record cannot
   * leave this server's devices without live traffic. A failing poll is logged and retried after a
   * pause; positions lost to retention restart at the end of the partition.
   */
  private void run() {
    try {
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          throw e;
        } catch (RuntimeException e) {
          pollFailed(e);
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
          take(record);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void take(ConsumerRecord<byte[], byte[]> record) {
    if (!Arrays.equals(key, record.key())) {
      return;
    }
    Delivery delivery;
    try {
      byte[] value = record.value();
      if (value == null) {
        throw new IllegalArgumentException("a record without a value");
      }
      delivery = BusCodec.decodeDelivery(value);
    } catch (RuntimeException e) {
      skipped.increment();
      log.error("skipping undecodable delivery at {}@{}", partition, record.offset(), e);
      return;
    }
    received.increment();
    try {
      handler.onDelivery(delivery);
    } catch (OutOfMemoryError e) {
      throw e;
    } catch (RuntimeException | Error e) {
      skipped.increment();
      log.error(
          "chat server {} failed to take a delivery for {} at {}@{}; skipped (the entry stays"
              + " queued and is sent from the store)",
          serverId,
          delivery.target(),
          partition,
          record.offset(),
          e);
    }
  }

  private void pollFailed(RuntimeException e) {
    if (e instanceof OffsetOutOfRangeException) {
      log.warn("delivery positions of {} lost to retention; reading from the end", serverId, e);
      consumer.seekToEnd(List.of(partition));
      return;
    }
    log.error("reading deliveries for {} failed; retrying in 1 s", serverId, e);
    try {
      Thread.sleep(1000); // back off a broken broker connection, then poll again
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
