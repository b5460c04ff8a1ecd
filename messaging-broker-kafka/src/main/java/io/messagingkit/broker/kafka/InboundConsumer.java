package io.messagingkit.broker.kafka;

import io.messagingkit.core.Envelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messaging service's consumer of the inbound topic: one polling thread that owns the {@link
 * KafkaConsumer}, and a worker pool. The records of one poll, across its partitions (each in offset
 * order), are handed to the handler as one batch, so the handler's round trips to its stores are
 * paid once per poll. Offsets are committed (asynchronously) after the poll's work completed; a
 * partition whose handler failed is sought back to its first unhandled record and paused for a
 * growing back-off, and its next attempts hand its records over one at a time, in parallel with the
 * other partitions, so that those before a failing record are committed and only that record is
 * held back. A consumer of single envelopes ({@code oneByOne}) gets batches of one throughout.
 */
final class InboundConsumer {

  private static final Logger log = LoggerFactory.getLogger(InboundConsumer.class);
  private static final Duration HANDLER_TIMEOUT = Duration.ofSeconds(60);

  private final KafkaMessageBus.Settings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Function<List<Envelope>, CompletionStage<Void>> handler;
  private final boolean oneByOne;
  private final ExecutorService workers;
  private final Thread thread;
  private final Counter handled;
  private final Counter failed;
  private final Counter undecodable;
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  private final Map<TopicPartition, Long> pausedUntil = new HashMap<>();
  private final Map<TopicPartition, Integer> failures = new HashMap<>();
  private volatile boolean running = true;
  private volatile boolean crashed;
  private volatile boolean holdCommits;

  InboundConsumer(
      KafkaMessageBus.Settings settings,
      Map<String, Object> config,
      Function<List<Envelope>, CompletionStage<Void>> handler,
      boolean oneByOne,
      MeterRegistry meters) {
    this.oneByOne = oneByOne;
    this.settings = settings;
    this.handler = handler;
    this.consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            settings.workerThreads(),
            r -> {
              Thread t = new Thread(r, "messagingkit-kafka-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.thread = new Thread(this::run, "messagingkit-kafka-inbound");
    this.thread.setDaemon(true);
    this.handled =
        Counter.builder("messagingkit.bus.handled")
            .description("Inbound envelopes whose handler completed")
            .register(meters);
    this.failed =
        Counter.builder("messagingkit.bus.handler.failed")
            .description("Inbound envelopes whose handler failed (handed over again)")
            .register(meters);
    this.undecodable =
        Counter.builder("messagingkit.bus.undecodable")
            .description("Inbound records that were not envelopes (skipped)")
            .register(meters);
  }

  void start() {
    consumer.subscribe(List.of(settings.inboundTopic()), new Rebalance());
    thread.start();
  }

  void holdCommits(boolean hold) {
    this.holdCommits = hold;
  }

  /** Stops handling at once; what was handled since the last commit stays uncommitted. */
  void crash() {
    crashed = true;
    running = false;
    consumer.wakeup();
    join();
  }

  /** Finishes the records in hand, commits them and leaves the group. */
  void close() {
    running = false;
    consumer.wakeup();
    join();
  }

  private void join() {
    try {
      thread.join(settings.closeTimeout().toMillis() + HANDLER_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (running) {
        resumeDue();
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(Duration.ofMillis(200));
        } catch (WakeupException e) {
          break;
        }
        if (!records.isEmpty()) {
          handle(records);
        }
        if (crashed) {
          break;
        }
        commit(false);
      }
    } catch (RuntimeException e) {
      log.error("inbound consumer of {} stopped", settings.inboundTopic(), e);
    } finally {
      try {
        if (!crashed) {
          commit(true);
        }
      } catch (RuntimeException e) {
        log.warn("final commit failed; the records will be handed over again", e);
      }
      workers.shutdownNow();
      try {
        consumer.close(settings.closeTimeout());
      } catch (RuntimeException e) {
        log.debug("closing the inbound consumer failed", e);
      }
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> records) {
    List<Future<Map<TopicPartition, Result>>> results = new ArrayList<>();
    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> together = new LinkedHashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> batch = records.records(tp);
      if (oneByOne || failures.containsKey(tp)) {
        results.add(workers.submit(() -> Map.of(tp, handleOneByOne(batch))));
      } else {
        together.put(tp, batch);
      }
    }
    if (!together.isEmpty()) {
      results.add(workers.submit(() -> handleBatch(together)));
    }
    for (Future<Map<TopicPartition, Result>> future : results) {
      Map<TopicPartition, Result> done;
      try {
        done = future.get();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        crashed = true;
        return;
      } catch (ExecutionException ex) {
        throw new IllegalStateException("partition worker failed", ex.getCause());
      }
      done.forEach(this::settle);
    }
  }

  /** Records how a partition's records went: their offset to commit, or a seek back and a pause. */
  private void settle(TopicPartition tp, Result r) {
    if (r.nextOffset() >= 0) {
      pending.put(tp, new OffsetAndMetadata(r.nextOffset()));
    }
    if (r.failedOffset() >= 0) {
      int n = failures.merge(tp, 1, Integer::sum);
      long backoff =
          Math.min(
              settings.retryBackoff().toMillis() << Math.min(n - 1, 10),
              settings.retryBackoff().toMillis() * 30);
      consumer.seek(tp, r.failedOffset());
      consumer.pause(List.of(tp));
      pausedUntil.put(tp, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff));
      log.debug("{} paused for {} ms after handler failure {}", tp, backoff, n);
    } else {
      failures.remove(tp);
    }
  }

  /**
   * The records of several partitions as one batch (each partition's in offset order): one handler
   * call for the whole poll, so the handler's round trips are paid once per poll, not once per
   * partition. A failure hands every one of these partitions over again.
   */
  private Map<TopicPartition, Result> handleBatch(
      Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> partitions) {
    List<Envelope> envelopes = new ArrayList<>();
    for (List<ConsumerRecord<byte[], byte[]>> batch : partitions.values()) {
      for (ConsumerRecord<byte[], byte[]> record : batch) {
        Envelope envelope = decode(record);
        if (envelope != null) {
          envelopes.add(envelope);
        }
      }
    }
    Map<TopicPartition, Result> handledAll = new HashMap<>();
    Map<TopicPartition, Result> failedAll = new HashMap<>();
    partitions.forEach(
        (tp, batch) -> {
          handledAll.put(tp, new Result(batch.get(batch.size() - 1).offset() + 1, -1));
          failedAll.put(tp, new Result(-1, batch.get(0).offset()));
        });
    if (envelopes.isEmpty()) {
      return handledAll;
    }
    if (crashed) {
      return Map.of();
    }
    try {
      await(envelopes);
      handled.increment(envelopes.size());
      return handledAll;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failedAll;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      failed.increment(envelopes.size());
      log.debug(
          "handler failed for a batch of {} from {} partition(s); it will be handed over again",
          envelopes.size(),
          partitions.size(),
          e);
      return failedAll;
    }
  }

  private Result handleOneByOne(List<ConsumerRecord<byte[], byte[]>> batch) {
    long next = -1;
    for (ConsumerRecord<byte[], byte[]> record : batch) {
      if (crashed) {
        return new Result(next, -1);
      }
      Envelope envelope = decode(record);
      if (envelope == null) {
        next = record.offset() + 1;
        continue;
      }
      try {
        await(List.of(envelope));
        handled.increment();
        next = record.offset() + 1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(next, record.offset());
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        failed.increment();
        log.debug("handler failed for {}; it will be handed over again", envelope, e);
        return new Result(next, record.offset());
      }
    }
    return new Result(next, -1);
  }

  private void await(List<Envelope> envelopes)
      throws InterruptedException, ExecutionException, TimeoutException {
    handler
        .apply(envelopes)
        .toCompletableFuture()
        .get(HANDLER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The record's envelope, or null (logged and counted) when it is not one: it is skipped. */
  private @Nullable Envelope decode(ConsumerRecord<byte[], byte[]> record) {
    try {
      return BusCodec.decodeEnvelope(record.value());
    } catch (IllegalArgumentException e) {
      log.error(
          "skipping undecodable record at {}-{}@{}",
          record.topic(),
          record.partition(),
          record.offset(),
          e);
      undecodable.increment();
      return null;
    }
  }

  private void resumeDue() {
    long now = System.nanoTime();
    List<TopicPartition> due = new ArrayList<>();
    for (Iterator<Map.Entry<TopicPartition, Long>> it = pausedUntil.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<TopicPartition, Long> e = it.next();
      if (now - e.getValue() >= 0) {
        due.add(e.getKey());
        it.remove();
      }
    }
    if (!due.isEmpty()) {
      Set<TopicPartition> assigned = consumer.assignment();
      consumer.resume(due.stream().filter(assigned::contains).toList());
    }
  }

  /**
   * Commits the offsets of what was handled. In the loop the commit is asynchronous (the next poll
   * need not wait for the broker; a failed commit puts its offsets back unless newer ones are
   * pending); on the way out it is synchronous.
   */
  private void commit(boolean sync) {
    if (pending.isEmpty() || holdCommits || crashed) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(pending);
    pending.clear();
    if (!sync) {
      consumer.commitAsync(
          offsets,
          (committed, failure) -> {
            if (failure != null) {
              log.warn("committing offsets failed; retrying with the next commit", failure);
              // not for partitions revoked meanwhile: their new owner commits them
              Set<TopicPartition> mine = consumer.assignment();
              committed.forEach(
                  (tp, offset) -> {
                    if (mine.contains(tp)) {
                      pending.putIfAbsent(tp, offset);
                    }
                  });
            }
          });
      return;
    }
    try {
      consumer.commitSync(offsets, settings.closeTimeout());
    } catch (WakeupException e) {
      consumer.commitSync(offsets, settings.closeTimeout());
      running = false;
    } catch (KafkaException e) {
      offsets.forEach(pending::putIfAbsent);
      log.warn("committing offsets failed; retrying after the next poll", e);
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!crashed && !holdCommits) {
        Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
        for (TopicPartition tp : partitions) {
          OffsetAndMetadata o = pending.get(tp);
          if (o != null) {
            mine.put(tp, o);
          }
        }
        if (!mine.isEmpty()) {
          try {
            consumer.commitSync(mine, settings.closeTimeout());
          } catch (KafkaException e) {
            log.warn("commit on revocation failed; those records will be handed over again", e);
          }
        }
      }
      for (TopicPartition tp : partitions) {
        pending.remove(tp);
        pausedUntil.remove(tp);
        failures.remove(tp);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      log.debug("inbound partitions assigned: {}", partitions);
    }
  }

  private record Result(long nextOffset, long failedOffset) {}
}
