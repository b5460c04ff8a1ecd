package io.messagingkit.store.jdbc;

import io.messagingkit.core.MessagingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Group commit for small writes (flat combining): concurrent callers put their request in a queue;
 * whoever gets one of the few flush permits takes every queued request (up to a maximum) and runs
 * them as one batch in one transaction, then completes each caller with its own result. A lone
 * caller flushes its own request at once, so nothing waits for a timer; under load one commit
 * serves many callers. Not API.
 *
 * @param <K> the request
 * @param <R> its result
 */
final class GroupCommit<K, R> {
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final ConcurrentLinkedQueue<Request<K, R>> queue = new ConcurrentLinkedQueue<>();
  private final Semaphore flushers;
  private final int maxBatch;
  private final Function<List<K>, List<R>> flush;

  /**
   * @param flush runs the requests in one transaction and returns each one's result, in order, or
   *     throws (then none took effect)
   */
  GroupCommit(int concurrentFlushes, int maxBatch, Function<List<K>, List<R>> flush) {
    this.flushers = new Semaphore(concurrentFlushes);
    this.maxBatch = maxBatch;
    this.flush = flush;
  }

  R submit(K key) {
    return submitAll(List.of(key)).get(0);
  }

  /** Submits several requests at once; they may share a batch with other callers' requests. */
  List<R> submitAll(List<K> keys) {
    List<Request<K, R>> mine = new ArrayList<>(keys.size());
    for (K key : keys) {
      Request<K, R> r = new Request<>(key);
      mine.add(r);
      queue.add(r);
    }
    List<R> results = new ArrayList<>(keys.size());
    for (Request<K, R> r : mine) {
      results.add(await(r));
    }
    return results;
  }

  private R await(Request<K, R> mine) {
    while (!mine.result.isDone()) {
      if (flushers.tryAcquire()) {
        try {
          flushQueued();
        } finally {
          flushers.release();
        }
      } else {
        if (Thread.currentThread().isInterrupted()) {
          throw new IllegalStateException("interrupted while waiting for a group commit");
        }
        // in a batch being flushed by another caller, or still queued: the flusher unparks us when
        // done; look again after a short while in case every flusher left before taking ours
        LockSupport.parkNanos(this, RECHECK_NANOS);
      }
    }
    try {
      return mine.result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MessagingException m) {
        throw m;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** Requests waiting for a flush (tests). */
  int queued() {
    return queue.size();
  }

  private void flushQueued() {
    List<Request<K, R>> batch = new ArrayList<>();
    Request<K, R> next;
    while (batch.size() < maxBatch && (next = queue.poll()) != null) {
      batch.add(next);
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      List<R> results = flush.apply(batch.stream().map(r -> r.key).toList());
      if (results.size() != batch.size()) {
        throw new IllegalStateException(
            "a flush of " + batch.size() + " requests returned " + results.size() + " results");
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result.complete(results.get(i));
      }
    } catch (RuntimeException e) {
      batch.forEach(r -> r.result.completeExceptionally(e));
    }
    batch.forEach(r -> LockSupport.unpark(r.waiter));
  }

  private static final class Request<K, R> {
    final K key;
    final Thread waiter = Thread.currentThread();
    final CompletableFuture<R> result = new CompletableFuture<>();

    Request(K key) {
      this.key = key;
    }
  }
}
