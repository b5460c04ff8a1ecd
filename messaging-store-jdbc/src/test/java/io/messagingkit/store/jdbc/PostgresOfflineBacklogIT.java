package io.messagingkit.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.OfflineStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A 100,000-message backlog (about 200 MB of bodies) is drained page by page, in order, with
 * ack-then-delete, while the live heap stays far below the size of the backlog.
 */
class PostgresOfflineBacklogIT {
  @RegisterExtension static final JdbcDatabaseExtension DB = JdbcDatabaseExtension.postgres();

  private static final int BACKLOG = 100_000;
  private static final int BODY = 2_000;
  private static final int PAGE = 500;

  @Test
  @DisplayName("a 100,000-message backlog drains completely, in order, in bounded memory")
  void drainsInBoundedMemory() throws Exception {
    OfflineStore store = DB.stores().offlineStore();
    DeviceAddress device = DeviceAddress.of("backlog", "phone");
    byte[] body = new byte[BODY];
    long t0 = System.nanoTime();
    for (int from = 0; from < BACKLOG; from += 1000) {
      List<OfflineStore.Item> items = new ArrayList<>();
      for (int i = from; i < from + 1000; i++) {
        body[0] = (byte) i;
        items.add(new OfflineStore.Item(device, envelope(i, body.clone())));
      }
      store.enqueueAll(items);
    }
    assertThat(store.depth(device)).isEqualTo(BACKLOG);
    System.out.printf(
        "backlog of %d enqueued in %d ms%n", BACKLOG, (System.nanoTime() - t0) / 1_000_000);
    long t1 = System.nanoTime();

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    long peak = 0;
    int expected = 0;
    long after = 0;
    int pages = 0;
    List<QueuedMessage> page;
    ExecutorService ackers = Executors.newFixedThreadPool(16);
    while (!(page = store.fetch(device, after, PAGE)).isEmpty()) {
      assertThat(page).hasSizeLessThanOrEqualTo(PAGE);
      for (QueuedMessage q : page) {
        assertThat(q.envelope().id().value()).isEqualTo("m" + expected);
        assertThat(q.envelope().body()[0]).isEqualTo((byte) expected);
        expected++;
      }
      // the client acknowledges as it receives: several acknowledgements in flight at once
      List<Future<Boolean>> acks = new ArrayList<>();
      for (QueuedMessage q : page) {
        acks.add(
            ackers.submit(() -> store.acknowledge(device, q.envelope().from(), q.envelope().id())));
      }
      for (Future<Boolean> ack : acks) {
        assertThat(ack.get()).isTrue();
      }
      after = page.get(page.size() - 1).sequence();
      if (++pages % 20 == 0) {
        System.gc();
        peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed() - baseline);
      }
    }
    ackers.shutdown();
    System.out.printf("backlog drained in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
    assertThat(expected).isEqualTo(BACKLOG);
    assertThat(store.depth(device)).isZero();
    // the whole backlog is ~200 MB; one page is ~1 MB
    assertThat(peak).as("live heap growth while draining").isLessThan(48L * 1024 * 1024);
  }

  private static Envelope envelope(int i, byte[] body) {
    Instant now = Instant.parse("2026-11-28T10:00:00Z").plusMillis(i);
    return new Envelope(
        MessageId.of("m" + i),
        DeviceAddress.of("sender" + (i % 10), "phone"),
        Recipient.user(UserId.of("backlog")),
        MessageType.TEXT,
        body,
        null,
        null,
        now,
        now,
        i + 1L);
  }
}
