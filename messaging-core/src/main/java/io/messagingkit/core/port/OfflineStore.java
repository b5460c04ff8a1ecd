package io.messagingkit.core.port;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.UserId;
import java.util.List;
import java.util.Objects;

/**
 * One queue per device of envelopes (messages and receipts) not yet acknowledged by that device.
 * Every envelope is stored here before any delivery is attempted, so nothing acknowledged with
 * SENT_ACK is lost when a chat server or a connection dies; an entry is removed only when the
 * device acknowledges it (ack-then-delete).
 *
 * <p>Ordering: each device's queue is ordered by a sequence that strictly increases in enqueue
 * order and is never handed out twice for one device (not after acknowledgement or purge either),
 * and an entry is visible to {@link #fetch} no later than any entry with a greater sequence of the
 * same device. Stores should number each device's new entries consecutively (the previous sequence
 * plus one): a chat server then recognises a live delivery as the next position of the queue and
 * sends it without reading the store; with gaps it reads the store first, which is correct but
 * slower. Idempotence: an envelope is identified in a device's queue by (sender user, message id);
 * enqueuing it again returns the existing sequence and stores nothing.
 *
 * <p>Thread-safe; every method blocks until durable and throws {@link
 * io.messagingkit.core.UnavailableException} when the backend is down (then nothing of that call
 * was stored).
 */
public interface OfflineStore {

  /** Stores {@code envelope} at the end of {@code device}'s queue; returns its sequence. */
  long enqueue(DeviceAddress device, Envelope envelope);

  /**
   * Stores each item at the end of its device's queue, atomically where the backend allows it and
   * in list order per device; returns the sequences in the order of {@code items}.
   */
  List<Long> enqueueAll(List<Item> items);

  /**
   * Stores the items as {@link #enqueueAll} does and marks {@code done} complete in {@code
   * idempotency}, in one transaction where both live in one database. Atomic is what a crash needs:
   * were the items committed and the completion not, the sender's resend (same id) would find the
   * acceptance unfinished and queue the message again, after its device may already have
   * acknowledged (and so removed) the first copy: a duplicate the user sees. The default runs
   * {@link #enqueueAll} and then {@link IdempotencyStore#completeAll}; an adapter whose backend
   * holds both overrides it.
   *
   * @return the sequences in the order of {@code items}
   */
  default List<Long> enqueueAllAndComplete(
      List<Item> items, IdempotencyStore idempotency, List<IdempotencyStore.Key> done) {
    List<Long> sequences = enqueueAll(items);
    idempotency.completeAll(done);
    return sequences;
  }

  /**
   * Up to {@code limit} entries of {@code device}'s queue with a sequence greater than {@code
   * afterSequence}, in ascending order; an empty list when there are none. Does not remove them.
   */
  List<QueuedMessage> fetch(DeviceAddress device, long afterSequence, int limit);

  /**
   * Removes the entry (sender, id) from {@code device}'s queue. Returns whether it was there;
   * acknowledging twice, or something never queued, returns false and changes nothing.
   */
  boolean acknowledge(DeviceAddress device, UserId sender, MessageId id);

  /**
   * Removes several entries of {@code device}'s queue, in one backend round trip where the backend
   * allows it (a device acknowledging a window of messages). Returns, in the order of {@code
   * entries}, whether each was there; an entry named twice is removed once (the second says false).
   * The default acknowledges one entry after the other.
   */
  default List<Boolean> acknowledgeAll(DeviceAddress device, List<Entry> entries) {
    List<Boolean> removed = new java.util.ArrayList<>(entries.size());
    for (Entry e : entries) {
      removed.add(acknowledge(device, e.sender(), e.id()));
    }
    return removed;
  }

  /**
   * Removes every entry of {@code device}'s queue with a sequence up to and including {@code
   * sequence} (a cumulative acknowledgement: the device received its queue up to that position), in
   * one backend statement where the backend allows it. Returns the removed entries in sequence
   * order, so that the caller can tell each sender DELIVERED; an empty list when there were none.
   * Acknowledging up to a position already acknowledged, or up to 0, removes nothing. Callers bound
   * {@code sequence} by what they handed to the device, so a call removes at most the entries they
   * sent.
   */
  List<Entry> acknowledgeUpTo(DeviceAddress device, long sequence);

  /** The number of entries waiting for {@code device}; 0 for an unknown device. */
  long depth(DeviceAddress device);

  /** Removes every entry of {@code device} (the device was deleted). */
  void purge(DeviceAddress device);

  /**
   * The total body bytes of the entries waiting for {@code device}; 0 for an unknown device. Used
   * to bound each queue; the default reads the queue page by page, adapters answer in one query.
   */
  default long queuedBytes(DeviceAddress device) {
    long bytes = 0;
    long after = 0;
    List<QueuedMessage> page;
    while (!(page = fetch(device, after, 500)).isEmpty()) {
      for (QueuedMessage q : page) {
        bytes += q.envelope().body().length;
      }
      after = page.get(page.size() - 1).sequence();
    }
    return bytes;
  }

  /**
   * An entry of a device's queue, named as the device acknowledges it.
   *
   * @param sender the user who sent the message or receipt
   * @param id its id
   */
  record Entry(UserId sender, MessageId id) {
    public Entry {
      java.util.Objects.requireNonNull(sender, "sender");
      java.util.Objects.requireNonNull(id, "id");
    }
  }

  /**
   * One envelope for one device.
   *
   * @param device the queue
   * @param envelope the entry
   */
  record Item(DeviceAddress device, Envelope envelope) {
    public Item {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(envelope, "envelope");
    }
  }
}
