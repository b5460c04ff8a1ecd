package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.MessageId;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.IdempotencyStore.Acceptance;
import io.messagingkit.core.port.IdempotencyStore.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Many threads race through the same keys at once (a client retrying while the bus redelivers): per
 * key exactly one NEW, every answer with the same sequence and time, and distinct keys get distinct
 * sequences. On the real PostgreSQL and MariaDB.
 */
class IdempotencyConcurrencyIT {
  private static final int THREADS = 12;
  private static final int KEYS = 300;

  @Test
  @DisplayName("PostgreSQL: racing accepts of the same keys yield one NEW and one sequence per key")
  void postgres() throws Exception {
    race(JdbcDatabaseExtension.postgres().stores().idempotencyStore());
  }

  @Test
  @DisplayName("MariaDB: racing accepts of the same keys yield one NEW and one sequence per key")
  void mariadb() throws Exception {
    race(JdbcDatabaseExtension.mariadb().stores().idempotencyStore());
  }

  private static void race(IdempotencyStore store) throws Exception {
    UserId sender = UserId.of("racer-" + System.nanoTime());
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Acceptance>>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                go.await();
                List<Acceptance> mine = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                  mine.add(
                      store.accept(
                          sender,
                          MessageId.of("k" + k),
                          Recipient.user(UserId.of("someone")),
                          Instant.ofEpochSecond(1_000, thread)));
                }
                return mine;
              }));
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
    Map<Integer, List<Acceptance>> byKey = new HashMap<>();
    for (Future<List<Acceptance>> f : futures) {
      List<Acceptance> mine = f.get();
      for (int k = 0; k < KEYS; k++) {
        byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(mine.get(k));
      }
    }
    java.util.Set<Long> sequences = new java.util.HashSet<>();
    byKey.forEach(
        (k, answers) -> {
          assertThat(answers).as("key %s", k).filteredOn(a -> a.status() == Status.NEW).hasSize(1);
          Acceptance first =
              answers.stream().filter(a -> a.status() == Status.NEW).findFirst().get();
          assertThat(answers)
              .as("key %s", k)
              .allSatisfy(
                  a -> {
                    assertThat(a.sequence()).isEqualTo(first.sequence());
                    assertThat(a.acceptedAt()).isEqualTo(first.acceptedAt());
                  });
          sequences.add(first.sequence());
        });
    assertThat(sequences).hasSize(KEYS);
  }
}
