package io.messagingkit.store.jdbc;

import io.messagingkit.core.MessageId;
import io.messagingkit.core.UserId;
import io.messagingkit.core.port.IdempotencyStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An {@link IdempotencyStore} in a relational database: table {@code mk_idempotency} with a unique
 * (sender, message id) and an identity column for the server sequence. A client retry after a lost
 * commit reply hits the unique key and reads back the first row: one row, one server sequence,
 * whatever the number of retries or concurrent callers.
 *
 * <p>Thread-safe. Build with {@link #builder(DataSource)} or through {@link JdbcStores}.
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {
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
            boolean inserted = db.dialect.insertIfAbsent(h, table, "sender_id, message_id", row);
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
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable JdbcDatabase database;
    private @Nullable String schema;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /** The database family; detected from the connection when not set. */
    public Builder database(JdbcDatabase database) {
      this.database = database;
      return this;
    }

    /** The schema (MySQL: database) holding the tables; the connection's default when not set. */
    public Builder schema(@Nullable String schema) {
      this.schema = schema;
      return this;
    }

    public JdbcIdempotencyStore build() {
      return new JdbcIdempotencyStore(Db.create(dataSource, database, schema));
    }
  }
}
