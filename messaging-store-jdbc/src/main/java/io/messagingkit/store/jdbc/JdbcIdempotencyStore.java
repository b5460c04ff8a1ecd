package io.messagingkit.store.jdbc;

import io.messagingkit.core.MessageId;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * An {@link IdempotencyStore} in a relational database: table {@code mk_idempotency} with a unique
 * (sender, message id) and an identity column for the server sequence. A client retry after a lost
 * commit reply hits the unique key and reads back the first row: one row, one server sequence,
 * whatever the number of retries or concurrent callers.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {
  private static final int LOOKUP_CHUNK = 500;

  private final Db db;
  private final String table;

  JdbcIdempotencyStore(Db db) {
    this.db = db;
    this.table = db.table("mk_idempotency");
  }

  /** A builder on {@code dataSource}, whose schema must have been migrated. */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  @Override
  public Acceptance accept(UserId sender, MessageId id, Instant now) {
    Objects.requireNonNull(now, "now");
    return db.call(
        "accepting " + sender + "/" + id,
        h -> {
          for (int attempt = 0; attempt < 3; attempt++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("sender_id", sender.value());
            row.put("message_id", id.value());
            row.put("accepted_s", now.getEpochSecond());
            row.put("accepted_n", now.getNano());
            row.put("completed", false);
            boolean inserted;
            if (db.dialect.insertReturns()) {
              // one statement for a new key (the chat server's case)
              OptionalLong seq =
                  db.dialect.insertIfAbsentReturning(h, table, "sender_id, message_id", row, "seq");
              if (seq.isPresent()) {
                return new Acceptance(seq.getAsLong(), now, Status.NEW);
              }
              inserted = false;
            } else {
              inserted = db.dialect.insertIfAbsent(h, table, "sender_id, message_id", row);
            }
            Optional<Acceptance> stored =
                h.createQuery(
                        "SELECT seq, accepted_s, accepted_n, completed FROM "
                            + table
                            + " WHERE sender_id = :s AND message_id = :m")
                    .bind("s", sender.value())
                    .bind("m", id.value())
                    .map(
                        (rs, ctx) ->
                            new Acceptance(
                                rs.getLong(1),
                                Instant.ofEpochSecond(rs.getLong(2), rs.getInt(3)),
                                inserted
                                    ? Status.NEW
                                    : rs.getBoolean(4) ? Status.COMPLETED : Status.IN_PROGRESS))
                    .findOne();
            if (stored.isPresent()) {
              return stored.get();
            }
            // purged between the insert attempt and the read: try again
          }
          throw new IllegalStateException("the row of " + sender + "/" + id + " keeps vanishing");
        });
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
  public List<Acceptance> acceptAll(List<Key> keys, Instant now) {
    Objects.requireNonNull(now, "now");
    if (keys.isEmpty()) {
      return List.of();
    }
    Map<Key, Acceptance> held =
        db.call("looking up " + keys.size() + " dedupe key(s)", h -> held(h, keys));
    List<Acceptance> result = new ArrayList<>(keys.size());
    for (Key key : keys) {
      Acceptance a = held.get(key);
      if (a == null) {
        a = accept(key.sender(), key.id(), now);
        // a repeat of the key further down the list finds it accepted
        held.put(key, new Acceptance(a.sequence(), a.acceptedAt(), Status.IN_PROGRESS));
      }
      result.add(a);
    }
    return result;
  }

  private Map<Key, Acceptance> held(Handle h, List<Key> keys) {
    Map<String, Set<String>> idsBySender = new TreeMap<>();
    for (Key key : keys) {
      idsBySender
          .computeIfAbsent(key.sender().value(), s -> new LinkedHashSet<>())
          .add(key.id().value());
    }
    Map<Key, Acceptance> found = new HashMap<>();
    for (var entry : idsBySender.entrySet()) {
      UserId sender = UserId.of(entry.getKey());
      List<String> ids = new ArrayList<>(entry.getValue());
      for (int from = 0; from < ids.size(); from += LOOKUP_CHUNK) {
        h.createQuery(
                "SELECT message_id, seq, accepted_s, accepted_n, completed FROM "
                    + table
                    + " WHERE sender_id = :s AND message_id IN (<ids>)")
            .bind("s", sender.value())
            .bindList("ids", ids.subList(from, Math.min(ids.size(), from + LOOKUP_CHUNK)))
            .map(
                (rs, ctx) ->
                    Map.entry(
                        new Key(sender, MessageId.of(rs.getString(1))),
                        new Acceptance(
                            rs.getLong(2),
                            Instant.ofEpochSecond(rs.getLong(3), rs.getInt(4)),
                            rs.getBoolean(5) ? Status.COMPLETED : Status.IN_PROGRESS)))
            .forEach(e -> found.put(e.getKey(), e.getValue()));
      }
    }
    return found;
  }

  /** One batch of updates. */
  @Override
  public void completeAll(List<Key> keys) {
    if (keys.isEmpty()) {
      return;
    }
    db.call(
        "completing " + keys.size() + " dedupe key(s)",
        h -> {
          PreparedBatch batch =
              h.prepareBatch(
                  "UPDATE "
                      + table
                      + " SET completed = :t WHERE sender_id = :s AND message_id = :m"
                      + " AND completed = :f");
          for (Key key : keys) {
            batch
                .bind("t", true)
                .bind("f", false)
                .bind("s", key.sender().value())
                .bind("m", key.id().value())
                .add();
          }
          return batch.execute();
        });
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
