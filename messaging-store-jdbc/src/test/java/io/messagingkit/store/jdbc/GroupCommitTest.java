package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messagingkit.core.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  @Test
  @DisplayName("a lone caller flushes its own request at once and gets its own result")
  void lone() {
    List<List<Integer>> flushes = new ArrayList<>();
    GroupCommit<Integer, Boolean> batcher =
        new GroupCommit<>(
            2,
            10,
            keys -> {
              flushes.add(keys);
              return keys.stream().map(k -> k % 2 == 0).toList();
            });
    assertThat(batcher.submit(2)).isTrue();
    assertThat(batcher.submit(3)).isFalse();
    assertThat(flushes).containsExactly(List.of(2), List.of(3));
  }

  @Test
  @DisplayName("callers arriving during a flush are committed together, each with its result")
  void batchesConcurrentCallers() throws Exception {
    CountDownLatch firstFlushEntered = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
    GroupCommit<Integer, Boolean> batcher =
        new GroupCommit<>(
            1,
            100,
            keys -> {
              if (calls.incrementAndGet() == 1) {
                firstFlushEntered.countDown();
                try {
                  releaseFirst.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              sizes.add(keys.size());
              return keys.stream().map(k -> k > 0).toList();
            });
    ExecutorService pool = Executors.newFixedThreadPool(21);
    try {
      Future<Boolean> first = pool.submit(() -> batcher.submit(1));
      assertThat(firstFlushEntered.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<Boolean>> waiting = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int key = i % 2 == 0 ? i + 1 : -i;
        waiting.add(pool.submit(() -> batcher.submit(key)));
      }
      // the 20 requests queue up behind the one flush in progress
      org.awaitility.Awaitility.await().until(() -> batcher.queued() == 20);
      assertThat(calls.get()).isEqualTo(1);
      releaseFirst.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 20; i++) {
        assertThat(waiting.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i % 2 == 0);
      }
      assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(21);
      assertThat(sizes).contains(20);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("a caller interrupted while its request waits behind another flush gets an error")
  void interruptedWhileWaiting() throws Exception {
    CountDownLatch flushing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GroupCommit<Integer, Boolean> batcher =
        new GroupCommit<>(
            1,
            10,
            keys -> {
              flushing.countDown();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return keys.stream().map(k -> true).toList();
            });
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Boolean> first = pool.submit(() -> batcher.submit(1));
      assertThat(flushing.await(10, TimeUnit.SECONDS)).isTrue();
      java.util.concurrent.atomic.AtomicReference<Throwable> outcome =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread second =
          new Thread(
              () -> {
                try {
                  batcher.submit(2);
                } catch (RuntimeException e) {
                  outcome.set(e);
                }
              });
      second.start();
      org.awaitility.Awaitility.await().until(() -> batcher.queued() == 1);
      second.interrupt();
      // the flush it waits behind is still running: it must leave now, not spin until it ends
      second.join(5_000);
      assertThat(second.isAlive()).isFalse();
      assertThat(outcome.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("interrupted");
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("a failed flush fails every request of that batch with the store's exception")
  void failure() {
    GroupCommit<Integer, Boolean> batcher =
        new GroupCommit<>(
            1,
            10,
            keys -> {
              throw new UnavailableException("down");
            });
    assertThatThrownBy(() -> batcher.submit(1))
        .isInstanceOf(UnavailableException.class)
        .hasMessage("down");
  }
}
