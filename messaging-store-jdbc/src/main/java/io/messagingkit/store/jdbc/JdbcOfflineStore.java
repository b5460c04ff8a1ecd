package io.messagingkit.store.jdbc;

import io.messagingkit.core.DeviceAddress;
import io.messagingkit.core.Envelope;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.QueuedMessage;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import io.messagingkit.core.port.OfflineStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jspecify.annotations.Nullable;

/**
 * An {@link OfflineStore} in a relational database: table {@code mk_offline_message}, primary key
 * (user, device, sequence), unique (user, device, sender, message id).
 *
 * <p>Sequences are per device, from a counter row ({@code mk_offline_device}) that each enqueue
 * locks first: concurrent enqueues to one device commit in sequence order, so a drain paging by
 * {@code afterSequence} never passes over a message that commits later with a smaller sequence.
 * {@link #enqueueAll} writes each device's items with one batched insert, all devices in one
 * transaction (locks taken in device order, so batches never deadlock). {@link #fetch} reads one
 * page through the primary key, so draining a backlog of any size needs memory for one page only.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcOfflineStore implements OfflineStore {
  /** The most keys looked up in one IN list. */
  private static final int LOOKUP_CHUNK = 500;

  /** Acknowledgement batches committed in parallel, and the most deletes in one. */
  private static final int ACK_FLUSHERS = 4;

  private static final int ACK_BATCH = 2048;

  private final Db db;
  private final String messages;
  private final String counters;
  private final GroupCommit<Ack, Boolean> acks;

  JdbcOfflineStore(Db db) {
    this.db = db;
    this.acks = new GroupCommit<>(ACK_FLUSHERS, ACK_BATCH, this::deleteAll);
    this.messages = db.table("mk_offline_message");
    this.counters = db.table("mk_offline_device");
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  @Override
  public long enqueue(DeviceAddress device, Envelope envelope) {
    return enqueueAll(List.of(new Item(device, envelope))).get(0);
  }

  @Override
  public List<Long> enqueueAll(List<Item> items) {
    return enqueueInTransaction(items, null, List.of());
  }

  /**
   * One transaction when {@code idempotency} is a {@link JdbcIdempotencyStore} on the same database
   * and schema: the queue rows and the completion of {@code done} commit together, so a crash
   * cannot leave a message queued whose acceptance still looks unfinished.
   */
  @Override
  public List<Long> enqueueAllAndComplete(
      List<Item> items, IdempotencyStore idempotency, List<IdempotencyStore.Key> done) {
    if (!(idempotency instanceof JdbcIdempotencyStore jdbc && jdbc.sharesTablesWith(db))) {
      return OfflineStore.super.enqueueAllAndComplete(items, idempotency, done);
    }
    return enqueueInTransaction(items, jdbc, done);
  }

  private List<Long> enqueueInTransaction(
      List<Item> items,
      @Nullable JdbcIdempotencyStore idempotency,
      List<IdempotencyStore.Key> done) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(done, "done");
    if (items.isEmpty()) {
      if (idempotency != null) {
        idempotency.completeAll(done);
      }
      return List.of();
    }
    TreeMap<DeviceAddress, List<Integer>> byDevice = new TreeMap<>();
    for (int i = 0; i < items.size(); i++) {
      byDevice.computeIfAbsent(items.get(i).device(), d -> new ArrayList<>()).add(i);
    }
    String what =
        "enqueueing "
            + items.size()
            + " envelope(s) for "
            + (byDevice.size() == 1 ? byDevice.firstKey() : byDevice.size() + " devices");
    return db.tx(
        what,
        h -> {
          long[] result = new long[items.size()];
          for (var entry : byDevice.entrySet()) {
            enqueueForDevice(h, entry.getKey(), entry.getValue(), items, result);
          }
          if (idempotency != null && !done.isEmpty()) {
            idempotency.completeIn(h, done);
          }
          List<Long> sequences = new ArrayList<>(result.length);
          for (long s : result) {
            sequences.add(s);
          }
          return sequences;
        });
  }

  private void enqueueForDevice(
      Handle h, DeviceAddress device, List<Integer> indexes, List<Item> items, long[] result) {
    String user = device.user().value();
    String dev = device.device().value();
    // Lock the device's counter first: from here on no one else enqueues to this device.
    long last = db.dialect.reserveSequences(h, counters, user, dev, indexes.size());
    long next = last - indexes.size() + 1;
    Map<Key, Long> known = existing(h, user, dev, indexes, items);
    PreparedBatch batch = null;
    for (int index : indexes) {
      Envelope e = items.get(index).envelope();
      Key key = new Key(e.from().value(), e.id().value());
      Long sequence = known.get(key);
      if (sequence == null) {
        sequence = next++;
        known.put(key, sequence);
        if (batch == null) {
          batch =
              h.prepareBatch(
                  "INSERT INTO "
                      + messages
                      + " (user_id, device_id, seq, "
                      + EnvelopeRows.COLUMNS
                      + ") VALUES (:user_id, :device_id, :seq, "
                      + EnvelopeRows.PARAMETERS
                      + ")");
        }
        EnvelopeRows.bind(batch, e)
            .bind("user_id", user)
            .bind("device_id", dev)
            .bind("seq", sequence.longValue())
            .add();
      }
      result[index] = sequence;
    }
    if (batch != null) {
      batch.execute();
    }
    if (next - 1 < last) {
      // some items were queued already: hand back the unused numbers (the row is still locked),
      // so that a device's sequences stay consecutive and live deliveries need no store read
      h.createUpdate(
              "UPDATE " + counters + " SET last_seq = :v WHERE user_id = :u AND device_id = :d")
          .bind("v", next - 1)
          .bind("u", user)
          .bind("d", dev)
          .execute();
    }
  }

  private Map<Key, Long> existing(
      Handle h, String user, String device, List<Integer> indexes, List<Item> items) {
    Map<String, Set<String>> idsBySender = new TreeMap<>();
    for (int index : indexes) {
      Envelope e = items.get(index).envelope();
      idsBySender.computeIfAbsent(e.from().value(), x -> new LinkedHashSet<>()).add(e.id().value());
    }
    Map<Key, Long> found = new HashMap<>();
    for (var entry : idsBySender.entrySet()) {
      List<String> ids = new ArrayList<>(entry.getValue());
      for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK));
        // equality on (user, device, sender) and IN on the id: point lookups in the unique key
        h.createQuery(
                "SELECT message_id, seq FROM "
                    + messages
                    + " WHERE user_id = :u AND device_id = :d AND from_user_id = :s"
                    + " AND message_id IN (<ids>)")
            .bind("u", user)
            .bind("d", device)
            .bind("s", entry.getKey())
            .bindList("ids", chunk)
            .map((rs, ctx) -> Map.entry(new Key(entry.getKey(), rs.getString(1)), rs.getLong(2)))
            .forEach(e -> found.put(e.getKey(), e.getValue()));
      }
    }
    return found;
  }

  @Override
  public List<QueuedMessage> fetch(DeviceAddress device, long afterSequence, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    return db.call(
        "fetching the queue of " + device,
        h ->
            h.createQuery(
                    "SELECT seq, "
                        + EnvelopeRows.COLUMNS
                        + " FROM "
                        + messages
                        + " WHERE user_id = :u AND device_id = :d AND seq > :after"
                        + " ORDER BY seq LIMIT :limit")
                .bind("u", device.user().value())
                .bind("d", device.device().value())
                .bind("after", afterSequence)
                .bind("limit", limit)
                .setFetchSize(Math.min(limit, 1000))
                .map((rs, ctx) -> new QueuedMessage(rs.getLong("seq"), EnvelopeRows.read(rs)))
                .list());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Concurrent acknowledgements (of any devices) are deleted together, one transaction per
   * batch; each call still returns when its own delete is committed.
   */
  @Override
  public boolean acknowledge(DeviceAddress device, UserId sender, MessageId id) {
    return acks.submit(new Ack(device, sender, id));
  }

  /**
   * Deletes the device's entries in as few transactions as the batch size allows, sharing them with
   * concurrent acknowledgements of other devices.
   */
  @Override
  public List<Boolean> acknowledgeAll(DeviceAddress device, List<Entry> entries) {
    return acks.submitAll(entries.stream().map(e -> new Ack(device, e.sender(), e.id())).toList());
  }

  private List<Boolean> deleteAll(List<Ack> batch) {
    String sql =
        "DELETE FROM "
            + messages
            + " WHERE user_id = :u AND device_id = :d AND from_user_id = :s AND message_id = :m";
    if (batch.size() == 1) {
      Ack a = batch.get(0);
      boolean removed =
          db.call(
              "acknowledging " + a.sender() + "/" + a.id() + " for " + a.device(),
              h -> bindAck(h.createUpdate(sql), a).execute() > 0);
      return List.of(removed);
    }
    boolean[] removed =
        db.tx(
            "acknowledging " + batch.size() + " entries",
            h ->
                db.dialect.deleteQueueEntries(
                    h,
                    messages,
                    batch.stream().map(a -> a.device().user().value()).toList(),
                    batch.stream().map(a -> a.device().device().value()).toList(),
                    batch.stream().map(a -> a.sender().value()).toList(),
                    batch.stream().map(a -> a.id().value()).toList()));
    List<Boolean> result = new java.util.ArrayList<>(removed.length);
    for (boolean r : removed) {
      result.add(r);
    }
    return result;
  }

  private static <S extends org.jdbi.v3.core.statement.SqlStatement<S>> S bindAck(S s, Ack a) {
    return s.bind("u", a.device().user().value())
        .bind("d", a.device().device().value())
        .bind("s", a.sender().value())
        .bind("m", a.id().value());
  }

  private record Ack(DeviceAddress device, UserId sender, MessageId id) {}

  /**
   * {@inheritDoc}
   *
   * <p>One range delete through the primary key (user, device, seq), returning the removed rows:
   * DELETE ... RETURNING on PostgreSQL and MariaDB, a SELECT over the delete's OLD TABLE on H2, a
   * locking read then the same range delete on MySQL.
   */
  @Override
  public List<Entry> acknowledgeUpTo(DeviceAddress device, long sequence) {
    if (sequence < 1) {
      return List.of();
    }
    List<Dialect.RemovedEntry> rows =
        db.tx(
            "acknowledging the queue of " + device + " up to " + sequence,
            h ->
                db.dialect.deleteQueueUpTo(
                    h, messages, device.user().value(), device.device().value(), sequence));
    List<Entry> removed = new ArrayList<>(rows.size());
    for (Dialect.RemovedEntry row : rows) {
      removed.add(new Entry(UserId.of(row.sender()), MessageId.of(row.id())));
    }
    return removed;
  }

  @Override
  public long depth(DeviceAddress device) {
    return db.call(
        "counting the queue of " + device,
        h ->
            h.createQuery(
                    "SELECT COUNT(*) FROM " + messages + " WHERE user_id = :u AND device_id = :d")
                .bind("u", device.user().value())
                .bind("d", device.device().value())
                .mapTo(Long.class)
                .one());
  }

  /** One query over the device's queue (bounded by the queue limits of the chat server). */
  @Override
  public long queuedBytes(DeviceAddress device) {
    return db.call(
        "summing the queue of " + device,
        h ->
            h.createQuery(
                    "SELECT COALESCE(SUM(OCTET_LENGTH(content)), 0) FROM "
                        + messages
                        + " WHERE user_id = :u AND device_id = :d")
                .bind("u", device.user().value())
                .bind("d", device.device().value())
                .mapTo(Long.class)
                .one());
  }

  @Override
  public void purge(DeviceAddress device) {
    db.call(
        "purging the queue of " + device,
        h ->
            h.createUpdate("DELETE FROM " + messages + " WHERE user_id = :u AND device_id = :d")
                .bind("u", device.user().value())
                .bind("d", device.device().value())
                .execute());
  }

  private record Key(String sender, String id) {}

  /** Builds a {@link JdbcOfflineStore}. */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcOfflineStore> {

    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    public JdbcOfflineStore build() {
      return new JdbcOfflineStore(db());
    }
  }
}
