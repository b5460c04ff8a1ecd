package io.messagingkit.core.memory;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.OfflineStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OfflineStore} in the heap: one ordered map per device, sequences from one counter per
 * device (consecutive: each new entry is the previous plus one). Thread-safe; queues do not survive
 * a restart.
 */
public final class InMemoryOfflineStore implements OfflineStore {

  private final Map<DeviceAddress, Queue> queues = new ConcurrentHashMap<>();

  @Override
  public long enqueue(DeviceAddress device, Envelope envelope) {
    return queue(device).add(envelope);
  }

  @Override
  public List<Long> enqueueAll(List<Item> items) {
    List<Long> result = new ArrayList<>(items.size());
    for (Item item : items) {
      result.add(enqueue(item.device(), item.envelope()));
    }
    return result;
  }

  @Override
  public List<QueuedMessage> fetch(DeviceAddress device, long afterSequence, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    Queue queue = queues.get(device);
    return queue == null ? List.of() : queue.fetch(afterSequence, limit);
  }

  @Override
  public boolean acknowledge(DeviceAddress device, UserId sender, MessageId id) {
    Queue queue = queues.get(device);
    return queue != null && queue.remove(new Key(sender, id));
  }

  @Override
  public List<Entry> acknowledgeUpTo(DeviceAddress device, long sequence) {
    Queue queue = queues.get(device);
    return queue == null ? List.of() : queue.removeUpTo(sequence);
  }

  @Override
  public long depth(DeviceAddress device) {
    Queue queue = queues.get(device);
    return queue == null ? 0 : queue.size();
  }

  @Override
  public long queuedBytes(DeviceAddress device) {
    Queue queue = queues.get(device);
    return queue == null ? 0 : queue.bytes();
  }

  @Override
  public void purge(DeviceAddress device) {
    Queue queue = queues.get(device);
    if (queue != null) {
      queue.clear(); // keeps its counter: a sequence is never handed out twice
    }
  }

  private Queue queue(DeviceAddress device) {
    return queues.computeIfAbsent(device, d -> new Queue());
  }

  private record Key(UserId sender, MessageId id) {}

  private final class Queue {
    private final TreeMap<Long, Envelope> entries = new TreeMap<>();
    private final Map<Key, Long> index = new HashMap<>();
    private long last;
    private long bytes;

    synchronized long add(Envelope envelope) {
      Key key = new Key(envelope.from(), envelope.id());
      Long existing = index.get(key);
      if (existing != null) {
        return existing;
      }
      long sequence = ++last;
      entries.put(sequence, envelope);
      index.put(key, sequence);
      bytes += envelope.body().length;
      return sequence;
    }

    synchronized List<QueuedMessage> fetch(long after, int limit) {
      List<QueuedMessage> page = new ArrayList<>(Math.min(limit, entries.size()));
      for (var entry : entries.tailMap(after, false).entrySet()) {
        if (page.size() == limit) {
          break;
        }
        page.add(new QueuedMessage(entry.getKey(), entry.getValue()));
      }
      return page;
    }

    synchronized boolean remove(Key key) {
      Long sequence = index.remove(key);
      @Nullable Envelope removed = sequence == null ? null : entries.remove(sequence);
      if (removed == null) {
        return false;
      }
      bytes -= removed.body().length;
      return true;
    }

    synchronized long bytes() {
      return bytes;
    }

    synchronized List<Entry> removeUpTo(long sequence) {
      var head = entries.headMap(sequence, true);
      List<Entry> removed = new ArrayList<>(head.size());
      for (Envelope envelope : head.values()) {
        index.remove(new Key(envelope.from(), envelope.id()));
        removed.add(new Entry(envelope.from(), envelope.id()));
        bytes -= envelope.body().length;
      }
      head.clear();
      return removed;
    }

    synchronized void clear() {
      entries.clear();
      index.clear();
      bytes = 0;
    }

    synchronized int size() {
      return entries.size();
    }
  }
}
