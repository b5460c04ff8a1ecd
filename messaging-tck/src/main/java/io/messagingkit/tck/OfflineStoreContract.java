package io.messagingkit.tck;

import static io.messagingkit.tck.StoreContractFixtures.T0;
import static io.messagingkit.tck.StoreContractFixtures.concurrently;
import static io.messagingkit.tck.StoreContractFixtures.media;
import static io.messagingkit.tck.StoreContractFixtures.receipt;
import static io.messagingkit.tck.StoreContractFixtures.text;
import static io.messagingkit.tck.StoreContractFixtures.toGroup;
import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.OfflineStore;
import io.messagingkit.core.port.OfflineStore.Item;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link OfflineStore}: per-device queues ordered by a strictly increasing
 * sequence, idempotent on (sender, message id), read in pages without removal, emptied only by
 * acknowledgement or purge. Extend it and return a fresh, empty store from {@link #createStore()}.
 */
public abstract class OfflineStoreContract {
  protected static final DeviceAddress BOB_PHONE = DeviceAddress.of("bob", "phone");
  protected static final DeviceAddress BOB_LAPTOP = DeviceAddress.of("bob", "laptop");
  protected static final DeviceAddress CAROL_PHONE = DeviceAddress.of("carol", "phone");

  protected OfflineStore store;

  /** A new store with every queue empty; called before each test. */
  protected abstract OfflineStore createStore();

  @BeforeEach
  void setUpStore() {
    store = createStore();
  }

  private List<Envelope> envelopes(List<QueuedMessage> page) {
    return page.stream().map(QueuedMessage::envelope).toList();
  }

  private static OfflineStore.Entry entry(String sender, String id) {
    return new OfflineStore.Entry(UserId.of(sender), MessageId.of(id));
  }

  private List<Long> sequences(List<QueuedMessage> page) {
    return page.stream().map(QueuedMessage::sequence).toList();
  }

  @Nested
  @DisplayName("ordering")
  class Ordering {
    @Test
    @DisplayName("sequences are positive and strictly increase in enqueue order")
    void sequencesIncrease() {
      long previous = 0;
      for (int i = 0; i < 20; i++) {
        long sequence = store.enqueue(BOB_PHONE, text("alice", "bob", "m" + i));
        assertThat(sequence).isPositive().isGreaterThan(previous);
        previous = sequence;
      }
    }

    @Test
    @DisplayName("fetch returns the queue in enqueue order, with the sequences enqueue returned")
    void fetchInOrder() {
      List<Long> expected = new ArrayList<>();
      List<Envelope> sent = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Envelope e = text(i % 2 == 0 ? "alice" : "dave", "bob", "m" + i);
        sent.add(e);
        expected.add(store.enqueue(BOB_PHONE, e));
      }
      List<QueuedMessage> page = store.fetch(BOB_PHONE, 0, 100);
      assertThat(sequences(page)).containsExactlyElementsOf(expected);
      assertThat(envelopes(page)).containsExactlyElementsOf(sent);
    }

    @Test
    @DisplayName("fetch returns only entries after the given sequence, at most limit of them")
    void fetchAfterAndLimit() {
      List<Long> seq = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        seq.add(store.enqueue(BOB_PHONE, text("alice", "bob", "m" + i)));
      }
      assertThat(sequences(store.fetch(BOB_PHONE, seq.get(3), 4)))
          .containsExactlyElementsOf(seq.subList(4, 8));
      assertThat(sequences(store.fetch(BOB_PHONE, 0, 3)))
          .containsExactlyElementsOf(seq.subList(0, 3));
      assertThat(store.fetch(BOB_PHONE, seq.get(9), 10)).isEmpty();
    }

    @Test
    @DisplayName("paging by the last sequence of each page visits every entry once, in order")
    void pagingVisitsEverything() {
      List<Long> seq = new ArrayList<>();
      for (int i = 0; i < 57; i++) {
        seq.add(store.enqueue(BOB_PHONE, text("alice", "bob", "m" + i)));
      }
      List<Long> seen = new ArrayList<>();
      long after = 0;
      List<QueuedMessage> page;
      while (!(page = store.fetch(BOB_PHONE, after, 10)).isEmpty()) {
        assertThat(page).hasSizeLessThanOrEqualTo(10);
        seen.addAll(sequences(page));
        after = page.get(page.size() - 1).sequence();
      }
      assertThat(seen).containsExactlyElementsOf(seq);
    }

    @Test
    @DisplayName("entries enqueued after an acknowledgement still sort after the older ones")
    void orderSurvivesAcknowledgements() {
      long a = store.enqueue(BOB_PHONE, text("alice", "bob", "a"));
      long b = store.enqueue(BOB_PHONE, text("alice", "bob", "b"));
      store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("a"));
      long c = store.enqueue(BOB_PHONE, text("alice", "bob", "c"));
      assertThat(c).isGreaterThan(b).isGreaterThan(a);
      assertThat(sequences(store.fetch(BOB_PHONE, 0, 10))).containsExactly(b, c);
    }
  }

  @Nested
  @DisplayName("reading")
  class Reading {
    @Test
    @DisplayName("fetch does not remove: fetching twice returns the same entries")
    void fetchDoesNotRemove() {
      store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      store.enqueue(BOB_PHONE, text("alice", "bob", "m2"));
      List<QueuedMessage> first = store.fetch(BOB_PHONE, 0, 10);
      assertThat(store.fetch(BOB_PHONE, 0, 10)).isEqualTo(first);
      assertThat(store.depth(BOB_PHONE)).isEqualTo(2);
    }

    @Test
    @DisplayName(
        "queuedBytes sums the bodies waiting for a device: counted once per entry, freed on"
            + " acknowledge and purge")
    void queuedBytes() {
      Envelope m1 = text("alice", "bob", "m1");
      Envelope m2 = text("alice", "bob", "m2");
      store.enqueue(BOB_PHONE, m1);
      store.enqueue(BOB_PHONE, m2);
      store.enqueue(BOB_PHONE, m2);
      store.enqueue(BOB_LAPTOP, m1);
      long both = m1.body().length + m2.body().length;
      assertThat(both).isPositive();
      assertThat(store.queuedBytes(BOB_PHONE)).isEqualTo(both);
      store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m1"));
      assertThat(store.queuedBytes(BOB_PHONE)).isEqualTo(m2.body().length);
      store.purge(BOB_PHONE);
      assertThat(store.queuedBytes(BOB_PHONE)).isZero();
      assertThat(store.queuedBytes(BOB_LAPTOP)).isEqualTo(m1.body().length);
      assertThat(store.queuedBytes(DeviceAddress.of("nobody", "none"))).isZero();
    }

    @Test
    @DisplayName("an unknown device has an empty queue and a depth of 0")
    void unknownDevice() {
      assertThat(store.fetch(DeviceAddress.of("nobody", "none"), 0, 10)).isEmpty();
      assertThat(store.depth(DeviceAddress.of("nobody", "none"))).isZero();
    }

    @Test
    @DisplayName("every field of every kind of envelope comes back exactly, nanoseconds included")
    void roundTrip() {
      List<Envelope> sent =
          List.of(
              text("alice", "bob", "t1"),
              toGroup("alice", "team", "g1", T0.plusSeconds(1)),
              media("alice", "bob", "p1"),
              receipt("alice", "bob", "alice:read:1", "m0"),
              new Envelope(
                  MessageId.of("empty"),
                  DeviceAddress.of("alice", "phone"),
                  io.messagingkit.core.Recipient.user(UserId.of("bob")),
                  io.messagingkit.core.MessageType.TEXT,
                  new byte[0],
                  null,
                  null,
                  T0,
                  T0,
                  Long.MAX_VALUE),
              new Envelope(
                  MessageId.of("big"),
                  DeviceAddress.of("alice", "phone"),
                  io.messagingkit.core.Recipient.user(UserId.of("bob")),
                  io.messagingkit.core.MessageType.ENCRYPTED,
                  bigBody(),
                  null,
                  null,
                  T0,
                  T0,
                  1));
      sent.forEach(e -> store.enqueue(BOB_PHONE, e));
      assertThat(envelopes(store.fetch(BOB_PHONE, 0, 10))).containsExactlyElementsOf(sent);
    }

    private byte[] bigBody() {
      byte[] body = new byte[200_000];
      for (int i = 0; i < body.length; i++) {
        body[i] = (byte) (i * 31);
      }
      return body;
    }

    @Test
    @DisplayName("queues are per device: one device never sees another's entries")
    void isolation() {
      store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      store.enqueue(CAROL_PHONE, text("alice", "carol", "m2"));
      assertThat(envelopes(store.fetch(BOB_PHONE, 0, 10)))
          .extracting(Envelope::id)
          .containsExactly(MessageId.of("m1"));
      assertThat(store.fetch(BOB_LAPTOP, 0, 10)).isEmpty();
      assertThat(store.depth(CAROL_PHONE)).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("idempotence")
  class Idempotence {
    @Test
    @DisplayName(
        "enqueuing the same (sender, id) again returns the existing sequence and stores nothing")
    void sameKeyTwice() {
      long first = store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      store.enqueue(BOB_PHONE, text("alice", "bob", "m2"));
      long again = store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      assertThat(again).isEqualTo(first);
      assertThat(store.depth(BOB_PHONE)).isEqualTo(2);
      assertThat(store.fetch(BOB_PHONE, 0, 10)).hasSize(2);
    }

    @Test
    @DisplayName("the same message id from two senders is two entries")
    void idIsPerSender() {
      long a = store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      long d = store.enqueue(BOB_PHONE, text("dave", "bob", "m1"));
      assertThat(d).isNotEqualTo(a);
      assertThat(store.depth(BOB_PHONE)).isEqualTo(2);
    }

    @Test
    @DisplayName("one envelope queued for several devices is one independent entry per device")
    void perDevice() {
      Envelope e = text("alice", "bob", "m1");
      store.enqueue(BOB_PHONE, e);
      store.enqueue(BOB_LAPTOP, e);
      assertThat(store.acknowledge(BOB_PHONE, e.from(), e.id())).isTrue();
      assertThat(store.depth(BOB_PHONE)).isZero();
      assertThat(envelopes(store.fetch(BOB_LAPTOP, 0, 10))).containsExactly(e);
    }
  }

  @Nested
  @DisplayName("batches")
  class Batches {
    @Test
    @DisplayName("enqueueAll returns the sequences in item order and keeps list order per device")
    void enqueueAllOrder() {
      List<Item> items =
          List.of(
              new Item(BOB_PHONE, text("alice", "bob", "m1")),
              new Item(CAROL_PHONE, text("alice", "carol", "m1")),
              new Item(BOB_PHONE, text("alice", "bob", "m2")),
              new Item(BOB_LAPTOP, text("alice", "bob", "m1")),
              new Item(BOB_PHONE, text("alice", "bob", "m3")));
      List<Long> sequences = store.enqueueAll(items);
      assertThat(sequences).hasSize(5);
      List<QueuedMessage> phone = store.fetch(BOB_PHONE, 0, 10);
      assertThat(sequences(phone))
          .containsExactly(sequences.get(0), sequences.get(2), sequences.get(4));
      assertThat(sequences.get(0)).isLessThan(sequences.get(2));
      assertThat(sequences.get(2)).isLessThan(sequences.get(4));
      assertThat(envelopes(phone))
          .extracting(e -> e.id().value())
          .containsExactly("m1", "m2", "m3");
      assertThat(sequences(store.fetch(CAROL_PHONE, 0, 10))).containsExactly(sequences.get(1));
      assertThat(sequences(store.fetch(BOB_LAPTOP, 0, 10))).containsExactly(sequences.get(3));
    }

    @Test
    @DisplayName("enqueueAll of nothing returns nothing")
    void empty() {
      assertThat(store.enqueueAll(List.of())).isEmpty();
    }

    @Test
    @DisplayName("enqueueAll is idempotent: known keys and repeats inside the batch keep one entry")
    void enqueueAllIdempotent() {
      long known = store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      List<Long> sequences =
          store.enqueueAll(
              List.of(
                  new Item(BOB_PHONE, text("alice", "bob", "m1")),
                  new Item(BOB_PHONE, text("alice", "bob", "m2")),
                  new Item(BOB_PHONE, text("alice", "bob", "m2"))));
      assertThat(sequences.get(0)).isEqualTo(known);
      assertThat(sequences.get(2)).isEqualTo(sequences.get(1)).isGreaterThan(known);
      assertThat(store.depth(BOB_PHONE)).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("acknowledgement and purge")
  class Removal {
    @Test
    @DisplayName("acknowledge removes exactly that entry and returns true")
    void acknowledgeRemoves() {
      store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      long m2 = store.enqueue(BOB_PHONE, text("alice", "bob", "m2"));
      assertThat(store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m1"))).isTrue();
      assertThat(sequences(store.fetch(BOB_PHONE, 0, 10))).containsExactly(m2);
      assertThat(store.depth(BOB_PHONE)).isEqualTo(1);
    }

    @Test
    @DisplayName(
        "acknowledging twice, or something never queued, returns false and changes nothing")
    void acknowledgeTwice() {
      store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      store.enqueue(BOB_PHONE, text("alice", "bob", "m2"));
      assertThat(store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m1"))).isTrue();
      assertThat(store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m1"))).isFalse();
      assertThat(store.acknowledge(BOB_PHONE, UserId.of("dave"), MessageId.of("m2"))).isFalse();
      assertThat(store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("zz"))).isFalse();
      assertThat(store.acknowledge(BOB_LAPTOP, UserId.of("alice"), MessageId.of("m2"))).isFalse();
      assertThat(store.depth(BOB_PHONE)).isEqualTo(1);
    }

    @Test
    @DisplayName(
        "acknowledgeAll removes the named entries, says which were there, in order, once each")
    void acknowledgeAll() {
      for (int i = 1; i <= 5; i++) {
        store.enqueue(BOB_PHONE, text("alice", "bob", "m" + i));
      }
      long m5 = store.fetch(BOB_PHONE, 0, 10).get(4).sequence();
      store.enqueue(BOB_LAPTOP, text("alice", "bob", "m1"));
      store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m4"));
      List<Boolean> removed =
          store.acknowledgeAll(
              BOB_PHONE,
              List.of(
                  entry("alice", "m2"),
                  entry("alice", "m1"),
                  entry("alice", "m4"), // acknowledged before
                  entry("dave", "m3"), // another sender
                  entry("alice", "m1"), // twice in one call
                  entry("alice", "m3")));
      assertThat(removed).containsExactly(true, true, false, false, false, true);
      assertThat(sequences(store.fetch(BOB_PHONE, 0, 10))).containsExactly(m5);
      assertThat(store.depth(BOB_LAPTOP)).isEqualTo(1);
      assertThat(store.acknowledgeAll(BOB_PHONE, List.of())).isEmpty();
    }

    @Test
    @DisplayName("acknowledgeAll of a whole page of a long queue leaves exactly the rest, in order")
    void acknowledgeAllPage() {
      List<OfflineStore.Item> items = new java.util.ArrayList<>();
      for (int i = 0; i < 1200; i++) {
        items.add(new OfflineStore.Item(BOB_PHONE, text("alice", "bob", "p" + i)));
      }
      store.enqueueAll(items);
      List<QueuedMessage> page = store.fetch(BOB_PHONE, 0, 1000);
      List<Boolean> removed =
          store.acknowledgeAll(
              BOB_PHONE,
              page.stream()
                  .map(q -> new OfflineStore.Entry(q.envelope().from(), q.envelope().id()))
                  .toList());
      assertThat(removed).hasSize(1000).containsOnly(true);
      List<QueuedMessage> rest = store.fetch(BOB_PHONE, 0, 1000);
      assertThat(rest).hasSize(200);
      assertThat(rest.get(0).envelope().id().value()).isEqualTo("p1000");
    }

    @Test
    @DisplayName("purge empties one device's queue and leaves the others alone")
    void purge() {
      store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      store.enqueue(BOB_PHONE, text("alice", "bob", "m2"));
      store.enqueue(BOB_LAPTOP, text("alice", "bob", "m1"));
      store.purge(BOB_PHONE);
      assertThat(store.depth(BOB_PHONE)).isZero();
      assertThat(store.fetch(BOB_PHONE, 0, 10)).isEmpty();
      assertThat(store.depth(BOB_LAPTOP)).isEqualTo(1);
      store.purge(DeviceAddress.of("nobody", "none"));
    }
  }

  @Nested
  @DisplayName("cumulative acknowledgement")
  class Cumulative {
    @Test
    @DisplayName(
        "acknowledgeUpTo removes every entry up to and including the position, returns them in"
            + " order, and leaves the rest and other devices alone")
    void removesUpTo() {
      List<Long> sequences = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        sequences.add(
            store.enqueue(BOB_PHONE, text(i % 2 == 0 ? "dave" : "alice", "bob", "m" + i)));
      }
      store.enqueue(BOB_LAPTOP, text("alice", "bob", "m1"));
      List<OfflineStore.Entry> removed = store.acknowledgeUpTo(BOB_PHONE, sequences.get(2));
      assertThat(removed)
          .containsExactly(entry("alice", "m1"), entry("dave", "m2"), entry("alice", "m3"));
      assertThat(sequences(store.fetch(BOB_PHONE, 0, 10)))
          .containsExactly(sequences.get(3), sequences.get(4));
      assertThat(store.depth(BOB_LAPTOP)).isEqualTo(1);
      assertThat(store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m1"))).isFalse();
    }

    @Test
    @DisplayName(
        "acknowledging up to a position already acknowledged, up to 0 or on an unknown device"
            + " removes nothing")
    void repeatRemovesNothing() {
      long m1 = store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      store.enqueue(BOB_PHONE, text("alice", "bob", "m2"));
      assertThat(store.acknowledgeUpTo(BOB_PHONE, m1)).hasSize(1);
      assertThat(store.acknowledgeUpTo(BOB_PHONE, m1)).isEmpty();
      assertThat(store.acknowledgeUpTo(BOB_PHONE, 0)).isEmpty();
      assertThat(store.acknowledgeUpTo(DeviceAddress.of("nobody", "none"), Long.MAX_VALUE))
          .isEmpty();
      assertThat(store.depth(BOB_PHONE)).isEqualTo(1);
    }

    @Test
    @DisplayName("entries acknowledged one by one before are not returned again")
    void mixedWithSingleAcknowledgements() {
      long last = 0;
      for (int i = 1; i <= 4; i++) {
        last = store.enqueue(BOB_PHONE, text("alice", "bob", "m" + i));
      }
      store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m2"));
      assertThat(store.acknowledgeUpTo(BOB_PHONE, last))
          .containsExactly(entry("alice", "m1"), entry("alice", "m3"), entry("alice", "m4"));
      assertThat(store.depth(BOB_PHONE)).isZero();
    }

    @Test
    @DisplayName("one call acknowledges a page of a long queue and leaves exactly the rest")
    void longQueue() {
      List<OfflineStore.Item> items = new ArrayList<>();
      for (int i = 0; i < 1200; i++) {
        items.add(new OfflineStore.Item(BOB_PHONE, text("alice", "bob", "p" + i)));
      }
      List<Long> sequences = store.enqueueAll(items);
      List<OfflineStore.Entry> removed = store.acknowledgeUpTo(BOB_PHONE, sequences.get(999));
      assertThat(removed).hasSize(1000);
      assertThat(removed.get(0)).isEqualTo(entry("alice", "p0"));
      assertThat(removed.get(999)).isEqualTo(entry("alice", "p999"));
      List<QueuedMessage> rest = store.fetch(BOB_PHONE, 0, 1000);
      assertThat(sequences(rest)).isEqualTo(sequences.subList(1000, 1200));
    }

    @Test
    @DisplayName(
        "new entries of a device are numbered consecutively, and no sequence is handed out twice"
            + " after acknowledgement or purge")
    void consecutiveAndNeverReused() {
      long first = store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      long second = store.enqueue(BOB_PHONE, text("dave", "bob", "m1"));
      List<Long> batch =
          store.enqueueAll(
              List.of(
                  new Item(BOB_PHONE, text("alice", "bob", "m2")),
                  new Item(CAROL_PHONE, text("alice", "carol", "m2")),
                  new Item(BOB_PHONE, text("alice", "bob", "m3"))));
      assertThat(second).isEqualTo(first + 1);
      assertThat(batch.get(0)).isEqualTo(second + 1);
      assertThat(batch.get(2)).isEqualTo(second + 2);
      List<Long> again =
          store.enqueueAll(
              List.of(
                  new Item(BOB_PHONE, text("alice", "bob", "m2")), // queued already
                  new Item(BOB_PHONE, text("alice", "bob", "m9")),
                  new Item(BOB_PHONE, text("alice", "bob", "m9")))); // twice in one batch
      assertThat(again).containsExactly(batch.get(0), batch.get(2) + 1, batch.get(2) + 1);
      assertThat(store.enqueue(BOB_PHONE, text("alice", "bob", "m10"))).isEqualTo(batch.get(2) + 2);
      store.acknowledgeUpTo(BOB_PHONE, batch.get(2));
      store.purge(BOB_PHONE);
      assertThat(store.enqueue(BOB_PHONE, text("alice", "bob", "m4")))
          .isGreaterThan(batch.get(2) + 2);
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {
    @Test
    @DisplayName("concurrent enqueues to one device all land, with distinct sequences in order")
    void concurrentEnqueues() throws Exception {
      int threads = 8;
      int perThread = 25;
      List<List<Long>> results =
          concurrently(
              threads,
              t -> {
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                  mine.add(store.enqueue(BOB_PHONE, text("user" + t, "bob", "m" + i)));
                }
                return mine;
              });
      Set<Long> all = new HashSet<>();
      results.forEach(
          mine -> {
            assertThat(mine).isSorted();
            all.addAll(mine);
          });
      assertThat(all).hasSize(threads * perThread);
      List<QueuedMessage> queue = store.fetch(BOB_PHONE, 0, 1000);
      assertThat(queue).hasSize(threads * perThread);
      assertThat(sequences(queue)).isSorted().containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    @DisplayName("concurrent enqueues of one envelope store it once and all return its sequence")
    void concurrentSameEnvelope() throws Exception {
      Envelope e = text("alice", "bob", "once");
      List<Long> results = concurrently(8, t -> store.enqueue(BOB_PHONE, e));
      assertThat(new HashSet<>(results)).hasSize(1);
      assertThat(store.depth(BOB_PHONE)).isEqualTo(1);
    }

    @Test
    @DisplayName("concurrent acknowledgements of one entry: exactly one returns true")
    void concurrentAcknowledge() throws Exception {
      store.enqueue(BOB_PHONE, text("alice", "bob", "m1"));
      List<Boolean> results =
          concurrently(
              8, t -> store.acknowledge(BOB_PHONE, UserId.of("alice"), MessageId.of("m1")));
      assertThat(results).containsOnlyOnce(true);
      assertThat(store.depth(BOB_PHONE)).isZero();
    }
  }
}
