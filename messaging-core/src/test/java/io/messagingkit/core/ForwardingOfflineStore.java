package io.messagingkit.core;

import io.messagingkit.core.memory.InMemoryOfflineStore;
import io.messagingkit.core.port.OfflineStore;
import java.util.List;

/**
 * The in-memory offline store behind a seam: tests extend it and override the calls they want to
 * observe, hold or break.
 */
class ForwardingOfflineStore implements OfflineStore {
  final InMemoryOfflineStore delegate = new InMemoryOfflineStore();

  @Override
  public long enqueue(DeviceAddress device, Envelope envelope) {
    return enqueueAll(List.of(new Item(device, envelope))).get(0);
  }

  @Override
  public List<Long> enqueueAll(List<Item> items) {
    return delegate.enqueueAll(items);
  }

  @Override
  public List<QueuedMessage> fetch(DeviceAddress device, long afterSequence, int limit) {
    return delegate.fetch(device, afterSequence, limit);
  }

  @Override
  public boolean acknowledge(DeviceAddress device, UserId sender, MessageId id) {
    return delegate.acknowledge(device, sender, id);
  }

  @Override
  public List<Boolean> acknowledgeAll(DeviceAddress device, List<Entry> entries) {
    return delegate.acknowledgeAll(device, entries);
  }

  @Override
  public List<Entry> acknowledgeUpTo(DeviceAddress device, long sequence) {
    return delegate.acknowledgeUpTo(device, sequence);
  }

  @Override
  public long depth(DeviceAddress device) {
    return delegate.depth(device);
  }

  @Override
  public void purge(DeviceAddress device) {
    delegate.purge(device);
  }
}
