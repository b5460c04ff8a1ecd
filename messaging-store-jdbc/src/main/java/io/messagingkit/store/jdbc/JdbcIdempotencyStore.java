package io.messagingkit.store.jdbc;

import io.messagingkit.core.GroupId;
import io.messagingkit.core.MessageId;
import io.messagingkit.core.Recipient;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jspecify.annotations.Nullable;

/**
 * An {@link IdempotencyStore} in a relational database: table {@code mk_idempotency} with a unique
 * (sender, message id), the recipient ({@code to_user_id} or {@code to_group_id}) and an identity
 * column for the server sequence. A client retry after a lost commit reply hits the unique key and
 * reads back the first row: one row, one server sequence, whatever the number of retries or
 * concurrent callers.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {
  private static final int ACCEPT_FLUSHERS = 4;
  private static final int ACCEPT_BATCH = 500;

  private final Db db;
  private final String table;
  private final GroupCommit<Pending, Acceptance> accepts;

  JdbcIdempotencyStore(Db db) {
    this.db = db;
    this.table = db.table("mk_idempotency");
    this.accepts = new GroupCommit<>(ACCEPT_FLUSHERS, ACCEPT_BATCH, this::acceptBatch);
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  /**
   * Concurrent calls (the chat server's, one per send) are accepted together: one transaction and,
   * on PostgreSQL, one insert statement per batch.
   */
  @Override
  public Acceptance accept(UserId sender, MessageId id, Recipient to, Instant now) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(now, "now");
    return accepts.submit(new Pending(new Key(sender, id), to, now));
  }

  @Override
  public Optional<Accepted> find(UserId sender, MessageId id) {
    return db.call(
        "finding dedupe key " + sender + "/" + id,
        h ->
            h.createQuery(
                    "SELECT to_user_id, to_group_id, accepted_s, accepted_n FROM "
                        + table
                        + " WHERE sender_id = :s AND message_id = :m")
                .bind("s", sender.value())
                .bind("m", id.value())
                .map(
                    (rs, ctx) -> {
                      String user = rs.getString(1);
                      String group = rs.getString(2);
                      Instant at = Instant.ofEpochSecond(rs.getLong(3), rs.getInt(4));
                      // a key accepted before the recipient was recorded proves nothing
                      if (user != null) {
                        return Optional.of(new Accepted(Recipient.user(UserId.of(user)), at));
                      }
                      if (group != null) {
                        return Optional.of(new Accepted(Recipient.group(GroupId.of(group)), at));
                      }
                      return Optional.<Accepted>empty();
                    })
                .findOne()
                .flatMap(a -> a));
  }

  private List<Acceptance> acceptBatch(List<Pending> batch) {
    String what = "accepting " + batch.size() + " dedupe key(s)";
    // a lone new key on PostgreSQL is one statement: no transaction around it
    return batch.size() == 1 && db.dialect.insertReturns()
        ? db.call(what, h -> acceptIn(h, batch))
        : db.tx(what, h -> acceptIn(h, batch));
  }

  /**
   * Inserts the keys that are new and reads back the others, in the caller's transaction; the
   * result is in {@code batch} order, and a key listed twice is NEW at most once.
   */
  private List<Acceptance> acceptIn(Handle h, List<Pending> batch) {
    // keys inserted in key order (one statement on PostgreSQL, one per key elsewhere): concurrent
    // batches take the unique index's entries in the same order and cannot deadlock
    Map<Key, Pending> byKey = new TreeMap<>(KEY_ORDER);
    for (Pending p : batch) {
      byKey.putIfAbsent(p.key(), p);
    }
    Map<Key, Acceptance> found = new HashMap<>();
    for (int attempt = 0; attempt < 3 && found.size() < byKey.size(); attempt++) {
      List<Pending> open = new ArrayList<>();
      byKey.forEach(
          (key, p) -> {
            if (!found.containsKey(key)) {
              open.add(p);
            }
          });
      Set<Key> inserted = new HashSet<>();
      if (db.dialect.insertReturns()) {
        // one statement for the whole batch; keys held already return nothing
        db.dialect
            .insertDedupeKeys(
                h,
                table,
                open.stream().map(p -> p.key().sender().value()).toList(),
                open.stream().map(p -> p.key().id().value()).toList(),
                open.stream().map(p -> toUser(p.to())).toList(),
                open.stream().map(p -> toGroup(p.to())).toList(),
                open.stream().map(p -> p.now().getEpochSecond()).toList(),
                open.stream().map(p -> p.now().getNano()).toList())
            .forEach(
                (senderAndId, seq) -> {
                  Key key =
                      new Key(UserId.of(senderAndId.get(0)), MessageId.of(senderAndId.get(1)));
                  found.put(key, new Acceptance(seq, byKey.get(key).now(), Status.NEW));
                });
      } else {
        for (Pending p : open) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("sender_id", p.key().sender().value());
          row.put("message_id", p.key().id().value());
          if (p.to() instanceof Recipient.ToUser u) {
            row.put("to_user_id", u.user().value());
          } else {
            row.put("to_group_id", ((Recipient.ToGroup) p.to()).group().value());
          }
          row.put("accepted_s", p.now().getEpochSecond());
          row.put("accepted_n", p.now().getNano());
          row.put("completed", false);
          if (db.dialect.insertIfAbsent(h, table, "sender_id, message_id", row)) {
            inserted.add(p.key());
          }
        }
      }
      List<Key> unknown =
          open.stream().map(Pending::key).filter(k -> !found.containsKey(k)).toList();
      if (!unknown.isEmpty()) {
        held(h, unknown)
            .forEach(
                (key, a) ->
                    found.put(
                        key,
                        inserted.contains(key)
                            ? new Acceptance(a.sequence(), a.acceptedAt(), Status.NEW)
                            : a));
      }
      // a key neither inserted nor found was purged in between: try it again
    }
    List<Acceptance> result = new ArrayList<>(batch.size());
    Set<Key> answered = new HashSet<>();
    for (Pending p : batch) {
      Acceptance a = found.get(p.key());
      if (a == null) {
        throw new IllegalStateException("the row of " + p.key() + " keeps vanishing");
      }
      // a repeat of the key in the same batch finds it accepted
      result.add(
          answered.add(p.key()) || a.status() != Status.NEW
              ? a
              : new Acceptance(a.sequence(), a.acceptedAt(), Status.IN_PROGRESS));
    }
    return result;
  }

  private static final Comparator<Key> KEY_ORDER =
      Comparator.comparing((Key k) -> k.sender().value()).thenComparing(k -> k.id().value());

  /** A call of {@link #accept} waiting for its group commit. */
  private record Pending(Key key, Recipient to, Instant now) {}

  private static @Nullable String toUser(Recipient to) {
    return to instanceof Recipient.ToUser u ? u.user().value() : null;
  }

  private static @Nullable String toGroup(Recipient to) {
    return to instanceof Recipient.ToGroup g ? g.group().value() : null;
  }

  @Override
  public void complete(UserId sender, MessageId id) {
    db.call(
        "completing " + sender + "/" + id,
        h ->
            h.createUpdate(
                    "UPDATE "
                        + table
                        + " SET completed = :t WHERE sender_id = :s AND message_id = :m"
                        + " AND completed = :f")
                .bind("t", true)
                .bind("f", false)
                .bind("s", sender.value())
                .bind("m", id.value())
                .execute());
  }

  /**
   * Answers the keys already held with one query per sender (per 500 ids), then accepts the others
   * one by one as {@link #accept} does.
   */
  @Override
  public List<Acceptance> acceptAll(List<Addressed> messages, Instant now) {
    Objects.requireNonNull(now, "now");
    if (messages.isEmpty()) {
      return List.of();
    }
    List<Key> keys = messages.stream().map(Addressed::key).toList();
    Map<Key, Acceptance> held =
        db.call("looking up " + keys.size() + " dedupe key(s)", h -> held(h, keys));
    Map<Key, Pending> firsts = new LinkedHashMap<>();
    for (Addressed m : messages) {
      if (!held.containsKey(m.key())) {
        firsts.putIfAbsent(m.key(), new Pending(m.key(), m.to(), now));
      }
    }
    List<Pending> missing = List.copyOf(firsts.values());
    if (!missing.isEmpty()) {
      List<Acceptance> accepted = acceptBatch(missing);
      for (int i = 0; i < missing.size(); i++) {
        held.put(missing.get(i).key(), accepted.get(i));
      }
    }
    List<Acceptance> result = new ArrayList<>(keys.size());
    Set<Key> answered = new HashSet<>();
    for (Key key : keys) {
      Acceptance a = held.get(key);
      // a repeat of the key further down the list finds it accepted
      result.add(
          answered.add(key) || a.status() != Status.NEW
              ? a
              : new Acceptance(a.sequence(), a.acceptedAt(), Status.IN_PROGRESS));
    }
    return result;
  }

  private Map<Key, Acceptance> held(Handle h, List<Key> keys) {
    Map<Key, Acceptance> found = new HashMap<>();
    KeyIn.chunked(
        keys,
        chunk ->
            KeyIn.bind(
                    h.createQuery(
                        "SELECT sender_id, message_id, seq, accepted_s, accepted_n, completed FROM "
                            + table
                            + " WHERE "
                            + KeyIn.condition(chunk.size(), "sender_id", "message_id")),
                    chunk,
                    k -> k.sender().value(),
                    k -> k.id().value())
                .map(
                    (rs, ctx) ->
                        Map.entry(
                            new Key(UserId.of(rs.getString(1)), MessageId.of(rs.getString(2))),
                            new Acceptance(
                                rs.getLong(3),
                                Instant.ofEpochSecond(rs.getLong(4), rs.getInt(5)),
                                rs.getBoolean(6) ? Status.COMPLETED : Status.IN_PROGRESS)))
                .forEach(e -> found.put(e.getKey(), e.getValue())));
    return found;
  }

  /** One update statement per {@value KeyIn#CHUNK} keys, in one transaction. */
  @Override
  public void completeAll(List<Key> keys) {
    if (keys.isEmpty()) {
      return;
    }
    HandleCallback<Void, RuntimeException> complete =
        h -> {
          completeIn(h, keys);
          return null;
        };
    String what = "completing " + keys.size() + " dedupe key(s)";
    if (keys.size() <= KeyIn.CHUNK) {
      db.call(what, complete);
    } else {
      db.tx(what, complete);
    }
  }

  /** Marks {@code keys} complete in the caller's transaction on {@code h}. */
  void completeIn(Handle h, List<Key> keys) {
    KeyIn.chunked(
        keys,
        chunk ->
            KeyIn.bind(
                    h.createUpdate(
                        "UPDATE "
                            + table
                            + " SET completed = :t WHERE completed = :f AND "
                            + KeyIn.condition(chunk.size(), "sender_id", "message_id")),
                    chunk,
                    k -> k.sender().value(),
                    k -> k.id().value())
                .bind("t", true)
                .bind("f", false)
                .execute());
  }

  /** Whether this store's table is in the database and schema of {@code other}. */
  boolean sharesTablesWith(Db other) {
    return db.sameTables(other);
  }

  @Override
  public int purgeOlderThan(Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff");
    return db.call(
        "purging dedupe entries older than " + cutoff,
        h ->
            h.createUpdate(
                    "DELETE FROM "
                        + table
                        + " WHERE accepted_s < :s OR (accepted_s = :s AND accepted_n < :n)")
                .bind("s", cutoff.getEpochSecond())
                .bind("n", cutoff.getNano())
                .execute());
  }

  /** Builds a {@link JdbcIdempotencyStore}. */
  public static final class Builder extends JdbcStoreBuilder<Builder, JdbcIdempotencyStore> {

    private Builder(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    public JdbcIdempotencyStore build() {
      return new JdbcIdempotencyStore(db());
    }
  }
}
