package io.messagingkit.tck;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.GroupId;
import io.messagingkit.core.MediaRef;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Envelopes and helpers shared by the storage contracts. */
final class StoreContractFixtures {
  /** A timestamp with nanoseconds, to prove that stores keep them. */
  static final Instant T0 = Instant.parse("2026-11-28T10:15:30.123456789Z");

  private StoreContractFixtures() {}

  static Envelope text(String from, String to, String id, Instant serverTime) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of(from, "phone"),
        Recipient.user(UserId.of(to)),
        MessageType.TEXT,
        ("hello " + id).getBytes(StandardCharsets.UTF_8),
        null,
        null,
        serverTime.minusMillis(7),
        serverTime,
        0);
  }

  static Envelope text(String from, String to, String id) {
    return text(from, to, id, T0);
  }

  static Envelope sequenced(Envelope e, long sequence) {
    return e.withServerSequence(sequence);
  }

  static Envelope toGroup(String from, String group, String id, Instant serverTime) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of(from, "laptop"),
        Recipient.group(GroupId.of(group)),
        MessageType.ENCRYPTED,
        new byte[] {0, 1, 2, (byte) 0xff, (byte) 0x80, 0},
        null,
        null,
        serverTime.minusSeconds(1),
        serverTime,
        42);
  }

  static Envelope media(String from, String to, String id) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of(from, "tablet"),
        Recipient.user(UserId.of(to)),
        MessageType.MEDIA,
        new byte[] {9, 8, 7},
        new MediaRef("media/" + id, "image/jpeg", 123_456_789L),
        null,
        Instant.parse("1999-12-31T23:59:59.999999999Z"),
        T0.plusNanos(1),
        77);
  }

  static Envelope receipt(String from, String to, String id, String refersTo) {
    return new Envelope(
        MessageId.of(id),
        DeviceAddress.of(from, "phone"),
        Recipient.user(UserId.of(to)),
        MessageType.READ_RECEIPT,
        new byte[0],
        null,
        MessageId.of(refersTo),
        T0,
        T0,
        0);
  }

  /**
   * Runs {@code task} on {@code threads} threads released together; returns the results in thread
   * order, rethrowing the first failure.
   */
  static <T> List<T> concurrently(int threads, IndexedTask<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        Callable<T> call =
            () -> {
              ready.countDown();
              go.await();
              return task.run(index);
            };
        futures.add(pool.submit(call));
      }
      if (!ready.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("threads did not start");
      }
      go.countDown();
      pool.shutdown();
      // wait for every thread, also when one fails, so no call outlives the test
      if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("threads did not finish within 60 s");
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A task that knows its thread's index. */
  @FunctionalInterface
  interface IndexedTask<T> {
    T run(int index) throws Exception;
  }
}
