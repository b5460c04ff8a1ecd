package io.messagingkit.store.jdbc;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.MessageType;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.OfflineStore;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of the JDBC offline store and archive on a real database: offline enqueue, the read of
 * a 1,000-message backlog, the drain (fetch pages, acknowledge every message one by one, as clients
 * do) and archive writes. Not a test: run it by hand, see docs/benchmarks-jdbc.md.
 *
 * <p>Arguments (all optional, {@code key=value}): {@code url} (default the local PostgreSQL),
 * {@code user}, {@code password}, {@code devices} (64), {@code backlog} per device (1000), {@code
 * threads} (devices), {@code body} bytes (100), {@code page} (500), {@code archive} messages
 * (100000), {@code pool} (16).
 */
public final class JdbcStoreBenchmark {
  private JdbcStoreBenchmark() {}

  public static void main(String[] args) throws Exception {
    var opts = new java.util.HashMap<String, String>();
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    String url = opts.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/test");
    int devices = Integer.parseInt(opts.getOrDefault("devices", "64"));
    int backlog = Integer.parseInt(opts.getOrDefault("backlog", "1000"));
    int threads = Integer.parseInt(opts.getOrDefault("threads", String.valueOf(devices)));
    int bodySize = Integer.parseInt(opts.getOrDefault("body", "100"));
    int page = Integer.parseInt(opts.getOrDefault("page", "500"));
    // acknowledgements per store call in the drain: 1 = one call per message (as a client that
    // waits for each ack); more = acknowledgeAll, as LocalSession batches a device's acks
    int ackBatch = Integer.parseInt(opts.getOrDefault("ackBatch", "64"));
    int archiveCount = Integer.parseInt(opts.getOrDefault("archive", "100000"));
    int pool = Integer.parseInt(opts.getOrDefault("pool", "16"));
    String schema = "mk_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    boolean h2 = url.startsWith("jdbc:h2:");

    JdbcStores.Builder builder =
        JdbcStores.builder()
            .jdbcUrl(url)
            .maximumPoolSize(pool)
            .connectionTimeout(Duration.ofSeconds(30));
    if (!h2) {
      builder
          .schema(schema)
          .username(opts.getOrDefault("user", url.contains("postgresql") ? "postgres" : "root"))
          .password(opts.getOrDefault("password", ""));
    }
    try (JdbcStores stores = builder.build()) {
      System.out.printf(
          Locale.ROOT,
          "database=%s devices=%d backlog/device=%d threads=%d body=%dB page=%d pool=%d%n",
          stores.database(),
          devices,
          backlog,
          threads,
          bodySize,
          page,
          pool);
      byte[] body = new byte[bodySize];
      Arrays.fill(body, (byte) 'x');
      OfflineStore offline = stores.offlineStore();
      ExecutorService exec = Executors.newFixedThreadPool(threads);
      try {
        // 1. enqueue: per device, batches of `page` envelopes
        long start = System.nanoTime();
        run(
            exec,
            devices,
            d -> {
              DeviceAddress device = DeviceAddress.of("user" + d, "phone");
              for (int from = 0; from < backlog; from += page) {
                List<OfflineStore.Item> items = new ArrayList<>();
                for (int i = from; i < Math.min(backlog, from + page); i++) {
                  items.add(new OfflineStore.Item(device, envelope("s" + (i % 7), d, i, body)));
                }
                offline.enqueueAll(items);
              }
            });
        report(
            "offline enqueue (enqueueAll, batches of " + page + ")",
            devices * (long) backlog,
            start);

        // 2. one backlog of 1,000 read in one fetch
        DeviceAddress probe = DeviceAddress.of("user0", "phone");
        long[] reads = new long[21];
        for (int i = 0; i < reads.length; i++) {
          long t = System.nanoTime();
          List<QueuedMessage> got = offline.fetch(probe, 0, Math.min(1000, backlog));
          reads[i] = System.nanoTime() - t;
          if (got.size() != Math.min(1000, backlog)) {
            throw new IllegalStateException("read " + got.size());
          }
        }
        Arrays.sort(reads);
        System.out.printf(
            Locale.ROOT,
            "read of a %d-message backlog (one fetch): median %.1f ms, max %.1f ms%n",
            Math.min(1000, backlog),
            reads[reads.length / 2] / 1e6,
            reads[reads.length - 1] / 1e6);

        // 3. drain: fetch a page, acknowledge each message, until empty
        AtomicLong drained = new AtomicLong();
        start = System.nanoTime();
        run(
            exec,
            devices,
            d -> {
              DeviceAddress device = DeviceAddress.of("user" + d, "phone");
              long after = 0;
              List<QueuedMessage> batch;
              while (!(batch = offline.fetch(device, after, page)).isEmpty()) {
                for (int from = 0; from < batch.size(); from += ackBatch) {
                  List<QueuedMessage> acks =
                      batch.subList(from, Math.min(batch.size(), from + ackBatch));
                  List<Boolean> removed =
                      ackBatch == 1
                          ? List.of(
                              offline.acknowledge(
                                  device,
                                  acks.get(0).envelope().from(),
                                  acks.get(0).envelope().id()))
                          : offline.acknowledgeAll(
                              device,
                              acks.stream()
                                  .map(
                                      q ->
                                          new io.messagingkit.core.port.OfflineStore.Entry(
                                              q.envelope().from(), q.envelope().id()))
                                  .toList());
                  if (removed.contains(false)) {
                    throw new IllegalStateException("lost an entry of " + device);
                  }
                  drained.addAndGet(acks.size());
                }
                after = batch.get(batch.size() - 1).sequence();
              }
            });
        report(
            "offline drain (fetch pages of " + page + ", acknowledge " + ackBatch + " per call)",
            drained.get(),
            start);

        // 4. archive: appendAll in batches of `page`, `devices` conversations in parallel
        int perConversation = archiveCount / devices;
        start = System.nanoTime();
        run(
            exec,
            devices,
            d -> {
              for (int from = 0; from < perConversation; from += page) {
                List<Envelope> batchList = new ArrayList<>();
                for (int i = from; i < Math.min(perConversation, from + page); i++) {
                  batchList.add(envelope("a" + d, d, i, body));
                }
                stores.messageArchive().appendAll(batchList);
              }
            });
        report(
            "archive appendAll (batches of " + page + ")", devices * (long) perConversation, start);

        int singles = Math.min(20_000, archiveCount);
        int perThread = singles / devices;
        start = System.nanoTime();
        run(
            exec,
            devices,
            d -> {
              for (int i = 0; i < perThread; i++) {
                stores.messageArchive().append(envelope("b" + d, d, i, body));
              }
            });
        report("archive append (one message per call)", devices * (long) perThread, start);
      } finally {
        exec.shutdownNow();
        if (!h2) {
          try (Connection c = stores.dataSource().getConnection();
              Statement s = c.createStatement()) {
            s.execute(
                url.contains("postgresql")
                    ? "DROP SCHEMA " + schema + " CASCADE"
                    : "DROP DATABASE " + schema);
          }
        }
      }
    }
  }

  private static Envelope envelope(String sender, int device, int i, byte[] body) {
    Instant now = Instant.now();
    return new Envelope(
        MessageId.of("m" + i),
        DeviceAddress.of(sender, "phone"),
        Recipient.user(UserId.of("user" + device)),
        MessageType.TEXT,
        body,
        null,
        null,
        now,
        now,
        i + 1L);
  }

  private static void report(String what, long count, long startNanos) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "%-52s %,10d msgs in %6.2f s = %,9.0f msgs/s%n",
        what,
        count,
        seconds,
        count / seconds);
  }

  private interface DeviceTask {
    void run(int device) throws Exception;
  }

  private static void run(ExecutorService exec, int devices, DeviceTask task) throws Exception {
    List<Future<?>> futures = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      int device = d;
      futures.add(
          exec.submit(
              () -> {
                task.run(device);
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
  }
}
