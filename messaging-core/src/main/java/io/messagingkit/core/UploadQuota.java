package io.messagingkit.core;

import io.messagingkit.core.port.MediaStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upload limits of {@link ChatServerLimits} in front of any {@link MediaStore}: bytes granted
 * per user over a rolling window, and unfinished grants (neither complete nor expired) per user.
 *
 * <p>Kept by each chat server in its heap: a user connected to several servers of a cluster gets
 * the quota once per server. Memory per user is bounded: granted bytes are summed in at most 64
 * buckets of the window, and at most {@code maxUnfinishedUploads} grants are tracked.
 */
final class UploadQuota {

  private static final int BUCKETS = 64;
  private static final int SWEEP_EVERY = 1024;

  private final ChatServerLimits limits;
  private final Clock clock;
  private final long bucketMillis;
  private final Map<UserId, Usage> usage = new ConcurrentHashMap<>();
  private final AtomicLong grants = new AtomicLong();

  UploadQuota(ChatServerLimits limits, Clock clock) {
    this.limits = limits;
    this.clock = clock;
    this.bucketMillis = Math.max(1000, limits.uploadWindow().toMillis() / BUCKETS);
  }

  /** Grants an upload of {@code sizeBytes} to {@code owner} if the quotas allow it. */
  MediaStore.UploadGrant grant(MediaStore store, UserId owner, String contentType, long sizeBytes) {
    if (grants.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep();
    }
    Usage mine = usage.computeIfAbsent(owner, u -> new Usage());
    synchronized (mine) {
      Instant now = clock.instant();
      mine.prune(now, store);
      if (mine.unfinished.size() >= limits.maxUnfinishedUploads()) {
        throw new LimitExceededException(
            owner
                + " has "
                + mine.unfinished.size()
                + " unfinished uploads (maxUnfinishedUploads "
                + limits.maxUnfinishedUploads()
                + "); finish one or wait until a grant expires");
      }
      long granted = mine.bytes();
      if (sizeBytes > 0 && granted + sizeBytes > limits.uploadBytesPerWindow()) {
        throw new LimitExceededException(
            owner
                + " was granted "
                + granted
                + " upload bytes in the last "
                + limits.uploadWindow()
                + "; "
                + sizeBytes
                + " more exceed uploadBytesPerWindow "
                + limits.uploadBytesPerWindow());
      }
      MediaStore.UploadGrant grant = store.grantUpload(owner, contentType, sizeBytes);
      mine.bytesByBucket.merge(now.toEpochMilli() / bucketMillis, sizeBytes, Long::sum);
      mine.unfinished.add(grant);
      return grant;
    }
  }

  private void sweep() {
    Instant now = clock.instant();
    usage.entrySet().removeIf(e -> e.getValue().idle(now));
  }

  private final class Usage {
    private final TreeMap<Long, Long> bytesByBucket = new TreeMap<>();
    private final List<MediaStore.UploadGrant> unfinished = new ArrayList<>();

    /** Forgets buckets out of the window and grants that completed or expired. */
    void prune(Instant now, MediaStore store) {
      long oldest = now.minus(limits.uploadWindow()).toEpochMilli() / bucketMillis;
      bytesByBucket.headMap(oldest, false).clear();
      for (Iterator<MediaStore.UploadGrant> it = unfinished.iterator(); it.hasNext(); ) {
        MediaStore.UploadGrant g = it.next();
        if (!g.expiresAt().isAfter(now) || store.stat(g.objectKey()).isPresent()) {
          it.remove();
        }
      }
    }

    long bytes() {
      long sum = 0;
      for (long b : bytesByBucket.values()) {
        sum += b;
      }
      return sum;
    }

    synchronized boolean idle(Instant now) {
      long oldest = now.minus(limits.uploadWindow()).toEpochMilli() / bucketMillis;
      bytesByBucket.headMap(oldest, false).clear();
      unfinished.removeIf(g -> !g.expiresAt().isAfter(now));
      return bytesByBucket.isEmpty() && unfinished.isEmpty();
    }
  }
}
