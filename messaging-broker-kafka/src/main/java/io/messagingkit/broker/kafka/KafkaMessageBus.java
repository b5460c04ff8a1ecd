package io.messagingkit.broker.kafka;

import io.messagingkit.core.Envelope;
import io.messagingkit.core.UnavailableException;
import io.messagingkit.core.port.Delivery;
import io.messagingkit.core.port.MessageBus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageBus} on Apache Kafka (3.x/4.x brokers).
 *
 * <p><b>Inbound stream.</b> {@link #publish} appends to the inbound topic with {@link
 * io.messagingkit.core.Recipient#partitionKey()} as the record key, from an idempotent producer
 * with {@code acks=all}; its future completes in the send callback, i.e. once the broker has the
 * record on every in-sync replica — only then may the sender see SENT_ACK. {@link #consumeInbound}
 * and {@link #consumeInboundBatches} join the consumer group and handle the records of each
 * assigned partition in offset order (with batches, the records of one poll, across its partitions,
 * as one batch; one at a time, the partitions of a poll in parallel on a worker pool). An offset is
 * committed only after the handler's stage completed normally; a failed stage makes the partition
 * seek back to the record and pause for a back-off, so nothing is skipped (at-least-once: a crash
 * between handling and commit hands the records to the next consumer, and the messaging service
 * dedupes them by sender and message id).
 *
 * <p><b>Deliveries.</b> One delivery topic for all chat servers. A delivery to server {@code s}
 * goes to partition {@code murmur2(s) mod partitions} with key {@code s}; {@link #attachServer}
 * assigns that one partition to a consumer of its own (no group), starting at the end, and passes
 * on only records keyed with its id. Deliveries are best-effort: what is sent while no server is
 * attached under the id is never seen by it.
 *
 * <p>The topics are created with {@link Admin} when missing. {@code publish} and {@code deliver}
 * never block: records go to the producer from one sender thread, in call order (while the broker
 * is away, the producer's {@code send} may wait up to {@code max.block.ms}, 10 s by default, then
 * the future fails with {@link UnavailableException}). Thread-safe.
 */
public final class KafkaMessageBus implements MessageBus {

  private static final Logger log = LoggerFactory.getLogger(KafkaMessageBus.class);

  private final Settings settings;
  private final Map<String, Object> clientProperties;
  private final KafkaProducer<byte[], byte[]> producer;
  private final int deliveryPartitions;
  private final ExecutorService sender;
  private final Map<String, DeliveryConsumer> attached = new ConcurrentHashMap<>();
  private final Counter published;
  private final Counter publishFailed;
  private final Counter deliveriesSent;
  private final MeterRegistry meters;
  private @Nullable InboundConsumer inbound;
  private volatile boolean closed;

  private KafkaMessageBus(Builder b) {
    this.settings = b.settings();
    this.clientProperties = Map.copyOf(b.clientProperties);
    this.meters = b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry();
    createTopics();
    this.producer =
        new KafkaProducer<>(producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
    try {
      producer.partitionsFor(settings.inboundTopic());
      this.deliveryPartitions = producer.partitionsFor(settings.deliveryTopic()).size();
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw new UnavailableException(
          "Kafka at " + settings.bootstrapServers() + " has no metadata for the bus topics", e);
    }
    this.sender =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "messagingkit-kafka-sender-" + settings.clientId());
              t.setDaemon(true);
              return t;
            });
    this.published =
        Counter.builder("messagingkit.bus.published")
            .description("Envelopes the Kafka broker acknowledged")
            .register(meters);
    this.publishFailed =
        Counter.builder("messagingkit.bus.publish.failed")
            .description("Envelopes the Kafka broker did not acknowledge")
            .register(meters);
    this.deliveriesSent =
        Counter.builder("messagingkit.bus.deliveries.sent")
            .description("Deliveries written to the delivery topic")
            .register(meters);
  }

  /**
   * A builder for a bus on the Kafka cluster at {@code bootstrapServers} ({@code host:port,...}).
   */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /** The settings this bus runs with. */
  public Settings settings() {
    return settings;
  }

  /** The delivery-topic partition that carries deliveries to chat server {@code serverId}. */
  public int deliveryPartition(String serverId) {
    return Utils.toPositive(Utils.murmur2(serverId.getBytes(StandardCharsets.UTF_8)))
        % deliveryPartitions;
  }

  @Override
  public CompletableFuture<Void> publish(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    CompletableFuture<Void> acked = new CompletableFuture<>();
    if (closed) {
      acked.completeExceptionally(new UnavailableException("message bus is closed"));
      return acked;
    }
    byte[] key = envelope.recipient().partitionKey().getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(settings.inboundTopic(), key, BusCodec.encode(envelope));
    send(
        record,
        acked,
        () -> {
          published.increment();
          acked.complete(null);
        },
        failure -> {
          publishFailed.increment();
          acked.completeExceptionally(
              new UnavailableException(
                  "Kafka did not acknowledge " + envelope.id() + ": " + failure.getMessage(),
                  failure));
        });
    return acked;
  }

  /**
   * Hands {@code record} to the producer on the sender thread (the producer's {@code send} may
   * block on metadata while the broker is away; callers never do), keeping the callers' order.
   */
  private void send(
      ProducerRecord<byte[], byte[]> record,
      CompletableFuture<Void> result,
      Runnable onAck,
      java.util.function.Consumer<Exception> onFailure) {
    try {
      sender.execute(
          () -> {
            try {
              producer.send(
                  record,
                  (metadata, failure) -> {
                    if (failure == null) {
                      onAck.run();
                    } else {
                      onFailure.accept(failure);
                    }
                  });
            } catch (KafkaException | IllegalStateException e) {
              onFailure.accept(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new UnavailableException("message bus is closed", e));
    }
  }

  @Override
  public void consumeInbound(Function<Envelope, CompletionStage<Void>> handler) {
    Objects.requireNonNull(handler, "handler");
    startInbound(batch -> handler.apply(batch.get(0)), true);
  }

  /**
   * Hands over the records of each poll as one batch, each partition's in offset order. After a
   * batch failed, the next attempt of each of its partitions hands its records over one at a time,
   * so that the records before a failing one are acknowledged.
   */
  @Override
  public void consumeInboundBatches(Function<List<Envelope>, CompletionStage<Void>> handler) {
    Objects.requireNonNull(handler, "handler");
    startInbound(handler, false);
  }

  private void startInbound(
      Function<List<Envelope>, CompletionStage<Void>> handler, boolean oneByOne) {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("message bus is closed");
      }
      if (inbound != null) {
        throw new IllegalStateException("the inbound stream already has a consumer");
      }
      inbound =
          new InboundConsumer(
              settings, consumerConfig(settings.consumerGroup()), handler, oneByOne, meters);
      inbound.start();
    }
  }

  @Override
  public CompletableFuture<Void> deliver(String serverId, Delivery delivery) {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(delivery, "delivery");
    CompletableFuture<Void> sent = new CompletableFuture<>();
    if (closed) {
      sent.completeExceptionally(new UnavailableException("message bus is closed"));
      return sent;
    }
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            settings.deliveryTopic(),
            deliveryPartition(serverId),
            serverId.getBytes(StandardCharsets.UTF_8),
            BusCodec.encode(delivery));
    send(
        record,
        sent,
        () -> {
          deliveriesSent.increment();
          sent.complete(null);
        },
        failure ->
            sent.completeExceptionally(
                new UnavailableException("delivery to " + serverId + " failed", failure)));
    return sent;
  }

  @Override
  public AutoCloseable attachServer(String serverId, DeliveryHandler handler) {
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(handler, "handler");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("message bus is closed");
      }
      if (attached.containsKey(serverId)) {
        throw new IllegalStateException("chat server " + serverId + " is already attached");
      }
      DeliveryConsumer consumer =
          new DeliveryConsumer(
              settings.deliveryTopic(),
              deliveryPartition(serverId),
              serverId,
              consumerConfig(null),
              handler,
              meters);
      attached.put(serverId, consumer);
      consumer.start();
      return () -> {
        if (attached.remove(serverId, consumer)) {
          consumer.close();
        }
      };
    }
  }

  /**
   * Stops consuming (letting the records in hand finish and committing them), detaches every
   * server, and flushes and closes the producer, so publishes already accepted complete.
   */
  @Override
  public void close() {
    InboundConsumer in;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      in = inbound;
    }
    if (in != null) {
      in.close();
    }
    for (String serverId : List.copyOf(attached.keySet())) {
      DeliveryConsumer c = attached.remove(serverId);
      if (c != null) {
        c.close();
      }
    }
    sender.shutdown();
    try {
      if (!sender.awaitTermination(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(settings.closeTimeout());
    log.info("Kafka message bus on {} closed", settings.inboundTopic());
  }

  /**
   * Stops the inbound consumer the way a crash would: no further handling and no commit of what it
   * handled since its last commit. For fault tests.
   */
  void crashInboundConsumer() {
    InboundConsumer in;
    synchronized (this) {
      in = inbound;
    }
    if (in != null) {
      in.crash();
    }
  }

  /** Holds back offset commits of the inbound consumer (records stay uncommitted). For tests. */
  void holdCommits(boolean hold) {
    InboundConsumer in;
    synchronized (this) {
      in = inbound;
    }
    if (in == null) {
      throw new IllegalStateException("not consuming");
    }
    in.holdCommits(hold);
  }

  private void createTopics() {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-admin");
    try (Admin admin = Admin.create(config)) {
      Set<String> existing =
          admin.listTopics().names().get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      if (!existing.contains(settings.inboundTopic())) {
        missing.add(
            new NewTopic(
                settings.inboundTopic(),
                Optional.of(settings.inboundPartitions()),
                settings.replicationFactor()));
      }
      if (!existing.contains(settings.deliveryTopic())) {
        missing.add(
            new NewTopic(
                    settings.deliveryTopic(),
                    Optional.of(settings.deliveryPartitions()),
                    settings.replicationFactor())
                .configs(Map.of("retention.ms", String.valueOf(Duration.ofHours(1).toMillis()))));
      }
      for (NewTopic topic : missing) {
        try {
          admin
              .createTopics(List.of(topic))
              .all()
              .get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
          log.info("created topic {} with {} partitions", topic.name(), topic.numPartitions());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      throw new UnavailableException(
          "could not create the bus topics on Kafka at " + settings.bootstrapServers(),
          e instanceof ExecutionException ? e.getCause() : e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while creating the bus topics", e);
    }
  }

  private Map<String, Object> producerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    config.putAll(clientProperties);
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-producer");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    return config;
  }

  private Map<String, Object> consumerConfig(@Nullable String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    config.putAll(clientProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    if (group != null) {
      config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-inbound");
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    } else {
      config.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-deliveries");
      config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    }
    return config;
  }

  /**
   * What a {@link KafkaMessageBus} runs with.
   *
   * @param bootstrapServers the Kafka cluster
   * @param inboundTopic the topic of envelopes on their way to the messaging service
   * @param deliveryTopic the topic of deliveries to chat servers
   * @param consumerGroup the consumer group of the messaging service
   * @param clientId a prefix for the Kafka client ids (usually the chat server's id)
   * @param inboundPartitions partitions of the inbound topic when this bus creates it
   * @param deliveryPartitions partitions of the delivery topic when this bus creates it
   * @param replicationFactor the replication factor of created topics; empty for the broker default
   * @param workerThreads threads handling inbound work: the batch of a poll, and in parallel with
   *     it the partitions handed over one record at a time (all of them for {@link
   *     KafkaMessageBus#consumeInbound})
   * @param retryBackoff the first pause of a partition after a handler failure (doubling, at most
   *     30 times it)
   * @param startTimeout how long creating topics and fetching metadata may take
   * @param closeTimeout how long close waits for in-flight work
   */
  public record Settings(
      String bootstrapServers,
      String inboundTopic,
      String deliveryTopic,
      String consumerGroup,
      String clientId,
      int inboundPartitions,
      int deliveryPartitions,
      Optional<Short> replicationFactor,
      int workerThreads,
      Duration retryBackoff,
      Duration startTimeout,
      Duration closeTimeout) {}

  /** Settings of a {@link KafkaMessageBus}; every one but the bootstrap servers has a default. */
  public static final class Builder {
    private final String bootstrapServers;
    private String inboundTopic = "messagingkit.inbound";
    private String deliveryTopic = "messagingkit.deliveries";
    private String consumerGroup = "messagingkit-service";
    private String clientId = "messagingkit";
    private int inboundPartitions = 12;
    private int deliveryPartitions = 12;
    private @Nullable Short replicationFactor;
    private int workerThreads = 8;
    private Duration retryBackoff = Duration.ofMillis(100);
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private final Map<String, Object> clientProperties = new HashMap<>();
    private @Nullable MeterRegistry meterRegistry;

    private Builder(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    }

    /** The inbound topic (default {@code messagingkit.inbound}). */
    public Builder inboundTopic(String inboundTopic) {
      this.inboundTopic = Objects.requireNonNull(inboundTopic, "inboundTopic");
      return this;
    }

    /** The delivery topic (default {@code messagingkit.deliveries}). */
    public Builder deliveryTopic(String deliveryTopic) {
      this.deliveryTopic = Objects.requireNonNull(deliveryTopic, "deliveryTopic");
      return this;
    }

    /** The messaging service's consumer group (default {@code messagingkit-service}). */
    public Builder consumerGroup(String consumerGroup) {
      this.consumerGroup = Objects.requireNonNull(consumerGroup, "consumerGroup");
      return this;
    }

    /** This process's name in Kafka client ids, usually the chat server's id. */
    public Builder serverId(String serverId) {
      this.clientId = Objects.requireNonNull(serverId, "serverId");
      return this;
    }

    /** Partitions of the inbound topic when it is created (default 12). */
    public Builder inboundPartitions(int partitions) {
      this.inboundPartitions = partitions;
      return this;
    }

    /** Partitions of the delivery topic when it is created (default 12). */
    public Builder deliveryPartitions(int partitions) {
      this.deliveryPartitions = partitions;
      return this;
    }

    /** The replication factor of created topics (default: the broker's). */
    public Builder replicationFactor(short replicationFactor) {
      this.replicationFactor = replicationFactor;
      return this;
    }

    /** Threads handling inbound work in parallel (default 8; see {@link Settings}). */
    public Builder workerThreads(int workerThreads) {
      this.workerThreads = workerThreads;
      return this;
    }

    /** The first pause of a partition whose handler failed (default 100 ms, doubling). */
    public Builder retryBackoff(Duration retryBackoff) {
      this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
      return this;
    }

    /** How long start-up (topics, metadata) may take (default 30 s). */
    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout, "startTimeout");
      return this;
    }

    /** How long {@link KafkaMessageBus#close()} waits for in-flight work (default 10 s). */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * A Kafka client setting passed to the producer, the consumers and the admin client (security,
     * timeouts, batching). Idempotence, acks, auto-commit, group and bootstrap servers are the
     * bus's own and cannot be overridden.
     */
    public Builder clientProperty(String key, Object value) {
      clientProperties.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Where the bus registers its meters (default: a registry of its own). */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    Settings settings() {
      return new Settings(
          bootstrapServers,
          inboundTopic,
          deliveryTopic,
          consumerGroup,
          clientId,
          inboundPartitions,
          deliveryPartitions,
          Optional.ofNullable(replicationFactor),
          workerThreads,
          retryBackoff,
          startTimeout,
          closeTimeout);
    }

    /**
     * Creates the topics if missing and connects the producer.
     *
     * @throws IllegalArgumentException for an invalid setting
     * @throws UnavailableException when Kafka cannot be reached within the start timeout
     */
    public KafkaMessageBus build() {
      if (bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrapServers must not be blank");
      }
      if (inboundTopic.isBlank() || deliveryTopic.isBlank() || inboundTopic.equals(deliveryTopic)) {
        throw new IllegalArgumentException(
            "inboundTopic and deliveryTopic must be set and differ: '"
                + inboundTopic
                + "', '"
                + deliveryTopic
                + "'");
      }
      if (consumerGroup.isBlank()) {
        throw new IllegalArgumentException("consumerGroup must not be blank");
      }
      if (inboundPartitions < 1 || deliveryPartitions < 1) {
        throw new IllegalArgumentException(
            "inboundPartitions and deliveryPartitions must be at least 1, got "
                + inboundPartitions
                + " and "
                + deliveryPartitions);
      }
      if (workerThreads < 1) {
        throw new IllegalArgumentException(
            "workerThreads must be at least 1, got " + workerThreads);
      }
      if (retryBackoff.isNegative() || retryBackoff.isZero()) {
        throw new IllegalArgumentException("retryBackoff must be positive, got " + retryBackoff);
      }
      return new KafkaMessageBus(this);
    }
  }
}
