package io.messagingkit.core.memory;

import io.messagingkit.core.MessageId;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link IdempotencyStore} in the heap. Thread-safe; forgets everything on restart. */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong sequences = new AtomicLong();

  @Override
  public Acceptance accept(UserId sender, MessageId id, Recipient to, Instant now) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(now, "now");
    boolean[] created = {false};
    Entry entry =
        entries.computeIfAbsent(
            new Key(sender, id),
            k -> {
              created[0] = true;
              return new Entry(sequences.incrementAndGet(), to, now);
            });
    Status status =
        created[0] ? Status.NEW : entry.completed ? Status.COMPLETED : Status.IN_PROGRESS;
    return new Acceptance(entry.sequence, entry.acceptedAt, status);
  }

  @Override
  public Optional<Accepted> find(UserId sender, MessageId id) {
    Entry entry = entries.get(new Key(sender, id));
    return entry == null ? Optional.empty() : Optional.of(new Accepted(entry.to, entry.acceptedAt));
  }

  @Override
  public void complete(UserId sender, MessageId id) {
    Entry entry = entries.get(new Key(sender, id));
    if (entry != null) {
      entry.completed = true;
    }
  }

  @Override
  public int purgeOlderThan(Instant cutoff) {
    int before = entries.size();
    entries.values().removeIf(e -> e.acceptedAt.isBefore(cutoff));
    return Math.max(0, before - entries.size());
  }

  private record Key(UserId sender, MessageId id) {}

  private static final class Entry {
    final long sequence;
    final Recipient to;
    final Instant acceptedAt;
    volatile boolean completed;

    Entry(long sequence, Recipient to, Instant acceptedAt) {
      this.sequence = sequence;
      this.to = to;
      this.acceptedAt = acceptedAt;
    }
  }
}
